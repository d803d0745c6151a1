import LedgerModel
import LedgerProtocol
import Testing

@Suite struct RunTableTests {
    static func run(_ i: Int, lr: String?, acc: [Double]) -> RunView {
        var metrics = [String: MetricSummary]()
        if !acc.isEmpty {
            metrics["acc"] = MetricSummary(acc.enumerated().map { MetricPoint(step: Int64($0.offset), timestamp: 0, value: $0.element) })
        }
        return RunView(
            id: String(repeating: "\(i % 10)", count: 64), experimentID: "e", name: "run\(i)",
            author: AuthorView(key: SigningKey.generate().publicKey, name: "Ada"), status: .finished, startTime: Int64(i),
            params: lr.map { ["lr": $0] } ?? [:], tags: [:], metrics: metrics, artifacts: [])
    }

    @Test func columnsParseAndPrintBack() throws {
        for spec in ["metrics.acc", "metrics.loss:min", "metrics.acc:max", "params.lr", "tags.note", "name", "status"] {
            #expect(try RunTable.Column(parsing: spec).spec == spec)
        }
        // Keys may hold colons: only a metric's last `:last|min|max` is an aggregate.
        #expect(try RunTable.Column(parsing: "params.lr:max") == .init(field: .param("lr:max")))
        #expect(try RunTable.Column(parsing: "metrics.acc:median") == .init(field: .metric("acc:median")))
        let colon = try RunTable.Column(parsing: "metrics.val:acc:max")
        #expect(colon == .init(field: .metric("val:acc"), aggregate: .max))
        #expect(try RunTable.Column(parsing: RunTable.Column(field: .metric("a:min")).spec) == .init(field: .metric("a:min")))
        #expect(throws: RunFilter.ParseError.self) { try RunTable.Column(parsing: "nonsense") }
    }

    @Test func sortsNumbersNumericallyMissingValuesLastAndKeepsTies() throws {
        let runs = [
            Self.run(0, lr: "0.1", acc: [0.5]), Self.run(1, lr: nil, acc: []), Self.run(2, lr: "0.01", acc: [0.9, 0.2]),
            Self.run(3, lr: "1e-3", acc: [0.7]), Self.run(4, lr: "0.1", acc: [0.3]),
        ]
        let byLR = RunTable.page(runs, .init(sort: try .init(parsing: "params.lr"), descending: false))
        #expect(byLR.rows.map(\.name) == ["run3", "run2", "run0", "run4", "run1"])
        let byLRDown = RunTable.page(runs, .init(sort: try .init(parsing: "params.lr"), descending: true))
        #expect(byLRDown.rows.map(\.name) == ["run0", "run4", "run2", "run3", "run1"])
        let byLast = RunTable.page(runs, .init(sort: try .init(parsing: "metrics.acc"), descending: true))
        #expect(byLast.rows.map(\.name) == ["run3", "run0", "run4", "run2", "run1"])
        let byMax = RunTable.page(runs, .init(sort: try .init(parsing: "metrics.acc:max"), descending: true))
        #expect(byMax.rows.map(\.name) == ["run2", "run3", "run0", "run4", "run1"])
    }

    @Test func filtersThenPagesWithClampedPageNumbers() throws {
        let runs = (0..<10_000).map { Self.run($0, lr: String(Double($0 % 10) / 100), acc: [Double($0) / 10_000]) }
        let query = RunTable.Query(
            filter: try RunFilter(parsing: "metrics.acc > 0.5 and params.lr = 0.03"),
            sort: try .init(parsing: "metrics.acc"), descending: true, page: 3, pageSize: 50)
        let page = RunTable.page(runs, query)
        #expect(page.matching == 500 && page.pageCount == 10 && page.page == 3 && page.rows.count == 50)
        #expect(page.rows.first?.name == "run8993" && page.rows.allSatisfy { $0.params["lr"] == "0.03" })
        #expect(RunTable.page(runs, .init(filter: query.filter, page: 99)).page == 10)
        #expect(RunTable.page(runs, .init(filter: query.filter, page: -4)).page == 1)
        #expect(RunTable.page([], .init()).rows.isEmpty)
    }

    @Test func defaultColumnsAreTheCommonParamsAndMetrics() {
        let runs = [Self.run(0, lr: "0.1", acc: [1]), Self.run(1, lr: "0.2", acc: [])]
        #expect(RunTable.defaultColumns(for: runs).map(\.spec) == ["params.lr", "metrics.acc"])
    }
}
