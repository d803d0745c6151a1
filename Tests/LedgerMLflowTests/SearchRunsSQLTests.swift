import Foundation
import LedgerModel
import LedgerProcesses
import LedgerProtocol
import LedgerStore
import Testing

@testable import LedgerMLflow

/// `search_runs` answered in SQL against the same search over every run in memory (`Translation`'s
/// filter and order), on runs made to hit the edges: params that read as numbers but compare as text,
/// missing fields, equal values, deleted runs, two experiments.
@Suite struct SearchRunsSQLTests {
    @Test func searchesInSQLFindWhatTheSearchInMemoryFinds() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("search-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let ledger = try Ledger(path: folder.appendingPathComponent("ledger.sqlite").path)
        let key = SigningKey(seed: [UInt8](repeating: 0x17, count: 32))!
        try ledger.append(try .init(TeamGenesis(name: "search")), signer: key)
        let team = try #require(try ledger.team())
        try ledger.append([try .init(ExperimentCreate(name: "a")), try .init(ExperimentCreate(name: "b"))], signer: key)
        let experiments = ["a", "b"].map { EntityID.experiment(team: team, name: $0) }
        var rng = SplitMix(seed: 9)
        func pick<T>(_ items: [T]) -> T { items[Int(rng.next() % UInt64(items.count))] }
        for i in 0..<160 {
            let start = RunStart(experiment: pick(experiments), name: pick(["x", "y", "run-\(i % 5)"]), startTime: Int64(pick([1, 2, 3, 4])))
            let run = try ledger.append(try .init(start), signer: key).id
            var drafts = [Ledger.Draft]()
            if rng.next() % 4 != 0 { drafts.append(try .init(RunParams(run: run, params: ["lr": pick(["0.1", "0.01", "1e-3", "abc", "10", "9"])]))) }
            if rng.next() % 3 != 0 {
                let value = pick([0.5, 0.25, -1, 3, 0.5, 1e9, -0.0, 0])
                drafts.append(try .init(RunMetrics(run: run, series: ["acc": [MetricPoint(step: 0, timestamp: 0, value: value)]])))
            }
            if rng.next() % 3 == 0 { drafts.append(try .init(RunTags(run: run, tags: ["team": pick(["red", "blue", "Red"])]))) }
            if rng.next() % 2 == 0 {
                drafts.append(try .init(RunFinish(run: run, status: pick([.finished, .failed]), endTime: Int64(pick([5, 6])))))
            }
            if rng.next() % 8 == 0 { drafts.append(try .init(EntityDelete(target: run))) }
            if !drafts.isEmpty { try ledger.append(drafts, signer: key) }
        }
        let filters = [
            "", "metrics.acc > 0.3", "metrics.acc != 0.5", "params.lr = '10'", "params.lr > '1'", "params.lr LIKE '0.%'",
            "tags.team ILIKE 'red'", "attributes.status = 'FINISHED'", "attributes.status != 'RUNNING' and metrics.acc <= 3",
            "tags.`mlflow.runName` = 'x'", "attributes.run_name LIKE 'run-%'", "attributes.start_time >= 3", "attributes.end_time < 6",
            "attributes.nothing = 'x'", "metrics.missing > 0",
        ]
        let orders = [
            [], ["metrics.acc DESC"], ["params.lr"], ["params.lr DESC", "metrics.acc"], ["attributes.status", "tags.team DESC"],
            ["attributes.start_time ASC"], ["attributes.end_time DESC", "attributes.run_name"], ["attributes.nothing"],
        ]
        let all = try experiments.flatMap { try ledger.runs(experiment: $0) }
        let deleted = try ledger.deletedIDs()
        var compared = 0
        for text in filters {
            for order in orders {
                let filter = try SearchFilter(parsing: text)
                let sorts = try order.map { try SearchOrder(parsing: $0) }
                let viewType = pick(["ACTIVE_ONLY", "DELETED_ONLY", "ALL"])
                let (offset, limit) = (pick([0, 0, 7, 40]), pick([5, 100]))
                let expected = Array(
                    Translation.sorted(
                        all.filter { run in
                            Translation.viewTypeLists(viewType, deleted: deleted.contains(run.id))
                                && filter.matches { Translation.field(run, $0, $1) }
                        }, by: sorts
                    ).map(\.id))
                let search = try #require(RunSearch.mlflow(experiments: experiments, filter: filter, orders: sorts, viewType: viewType))
                let found = try ledger.searchRuns(search, offset: offset, limit: limit)
                #expect(found.matching == expected.count, "\(text) / \(order) / \(viewType)")
                #expect(found.ids.map(\.hex) == Array(expected.dropFirst(offset).prefix(limit)), "\(text) / \(order) / \(viewType)")
                compared += found.ids.count
            }
        }
        #expect(compared > 1_000)
        // Fields only a whole run gives are searched in memory.
        #expect(
            RunSearch.mlflow(experiments: experiments, filter: try SearchFilter(parsing: "attributes.user_id = 'x'"), orders: [], viewType: nil)
                == nil)
    }
}
