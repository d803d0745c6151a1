import Testing

@testable import LedgerMLflow

@Suite struct SearchFilterTests {
    @Test func parsesComparisonsJoinedByAnd() throws {
        let f = try SearchFilter(parsing: "metrics.loss < 10 and attributes.status = 'FINISHED' AND params.lr != \"0.1\"")
        #expect(
            f.clauses == [
                .init(entity: .metric, key: "loss", op: .less, value: "10", numeric: true),
                .init(entity: .attribute, key: "status", op: .equal, value: "FINISHED", numeric: false),
                .init(entity: .param, key: "lr", op: .notEqual, value: "0.1", numeric: false),
            ])
    }

    @Test func quotedKeysAndLike() throws {
        let f = try SearchFilter(parsing: "tags.`my tag` LIKE 'digi%' and name='x'")
        #expect(f.clauses.map(\.key) == ["my tag", "name"])
        #expect(f.clauses.first?.op == .like)
        #expect(f.matches { _, key in key == "my tag" ? .text("digits-v2") : .text("x") })
        #expect(!f.matches { _, key in key == "my tag" ? .text("mnist") : .text("x") })
    }

    @Test func emptyFilterMatchesEverything() throws {
        #expect(try SearchFilter(parsing: nil).matches { _, _ in nil })
        #expect(try SearchFilter(parsing: "  ").clauses.isEmpty)
    }

    @Test func numericComparisonOfMetrics() throws {
        let f = try SearchFilter(parsing: "metrics.acc >= 0.9")
        #expect(f.matches { _, _ in .number(0.95) })
        #expect(!f.matches { _, _ in .number(0.5) })
        #expect(!f.matches { _, _ in nil })
    }

    @Test(arguments: ["metrics.acc >", "metrics.acc 0.9", "foo.bar = 1", "metrics.acc > 0.9 or params.x = '1'", "params.x = 'open"])
    func rejectsMalformedFilters(_ text: String) {
        #expect(throws: MLflowError.self) { try SearchFilter(parsing: text) }
    }

    @Test func likeWildcards() {
        #expect(SearchFilter.likeMatches("digits-v2", pattern: "digits%"))
        #expect(SearchFilter.likeMatches("abc", pattern: "a_c"))
        #expect(!SearchFilter.likeMatches("abcd", pattern: "a_c"))
    }

    @Test func orderBy() throws {
        let o = try SearchOrder(parsing: "metrics.loss DESC")
        #expect(o.entity == .metric && o.key == "loss" && !o.ascending)
        let s = try SearchOrder(parsing: "start_time")
        #expect(s.entity == .attribute && s.key == "start_time" && s.ascending)
    }
}
