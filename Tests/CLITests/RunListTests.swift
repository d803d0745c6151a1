import Foundation
import LedgerTestSupport
import Testing

/// `mledger run list` filters, sorts and pages in the database; a filter it cannot read changes nothing
/// and says what to type.
@Suite struct RunListTests {
    @Test func filtersSortsAndPages() throws {
        let cli = try CLI()
        try cli.ok("init", "--team", "vision", "--name", "Ada Tester")
        for (name, lr) in [("a", "0.1"), ("b", "0.001"), ("c", "0.01"), ("d", "abc")] {
            let run = try cli.ok("run", "start", "--experiment", "sweep", "--name", name).trimmingCharacters(in: .whitespacesAndNewlines)
            try cli.ok("run", "log-param", run, "lr=\(lr)")
        }
        try cli.ok("run", "start", "--experiment", "other", "--name", "e")
        func names(_ arguments: String...) throws -> [String] {
            let r = try cli.execute(["run", "list", "--json"] + arguments)
            #expect(r.ok, "\(r.stderr)")
            let runs = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [[String: Any]] ?? []
            return runs.compactMap { $0["name"] as? String }
        }
        #expect(try names("--experiment", "sweep") == ["d", "c", "b", "a"])
        #expect(try names() == ["e", "d", "c", "b", "a"])
        #expect(try names("--experiment", "sweep", "--sort", "params.lr", "--asc") == ["b", "c", "a", "d"])
        #expect(try names("--experiment", "sweep", "--sort", "params.lr", "--asc", "--limit", "2", "--page", "2") == ["a", "d"])
        #expect(try names("--filter", "params.lr < 0.05", "--sort", "params.lr") == ["c", "b"])
        let page = try cli.ok("run", "list", "--sort", "params.lr", "--limit", "2")
        #expect(page.contains("page 1 of 3: 5 of 5 runs match"))

        let bad = try cli.run("run", "list", "--filter", "params.lr ~ 1")
        #expect(!bad.ok && bad.stderr.contains("has no comparison"), "\(bad.stderr)")
        let badSort = try cli.run("run", "list", "--sort", "lr")
        #expect(!badSort.ok && badSort.stderr.contains("unknown field 'lr'"), "\(badSort.stderr)")
    }
}
