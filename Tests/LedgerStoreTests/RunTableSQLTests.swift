import Foundation
import LedgerModel
import LedgerProtocol
import LedgerTestSupport
import Testing

@testable import LedgerStore

/// The runs table paged in SQL against `RunTable.page` over every run in memory, on runs made to hit
/// the edges: missing and textual values, numbers written many ways, NaN and negative zero, named and
/// unnamed authors, deleted runs, equal clocks.
@Suite struct RunTableSQLTests {
    let now: UInt64 = 1_767_225_600_000 + 100_000

    func sweep(runs count: Int) throws -> (TemporaryLedger, LedgerID) {
        var s = Scenario(seed: 17)
        s.add(s.alice, IdentityProfile(name: "Alice"))
        s.add(s.alice, ExperimentCreate(name: "sweep"))
        s.add(s.bob, ExperimentCreate(name: "other"))
        let experiment = EntityID.experiment(team: s.team, name: "sweep")
        let other = EntityID.experiment(team: s.team, name: "other")
        let lrs = ["0.1", "1e-3", "0.01", "0.10", "abc", "-0", "0", "nan", "-1", "Zeta", "é"]
        let values: [Double] = [0.5, 0.25, -0.0, 0.0, .nan, -1, 3, .infinity, 0.5, 1e-9]
        func pick<T>(_ items: [T]) -> T { items[Int(s.rng.next() % UInt64(items.count))] }
        for i in 0..<count {
            // Every random choice is made before the event that carries it is added.
            let key = pick([s.alice, s.bob, s.carol])
            let start = RunStart(
                experiment: i % 9 == 0 ? other : experiment, name: pick(["a", "b", "run \(i % 7)"]),
                gitCommit: pick([nil, "abc", "def"]), host: pick([nil, "gpu1", "gpu2"]))
            let run = s.add(key, start)
            var params = [String: String]()
            if s.rng.next() % 4 != 0 { params["lr"] = pick(lrs) }
            if s.rng.next() % 2 == 0 { params["opt"] = pick(["adam", "sgd", "10", "9"]) }
            var series = [String: [MetricPoint]]()
            for metric in ["acc", "loss"] where s.rng.next() % 3 != 0 {
                series[metric] = (0..<Int(1 + s.rng.next() % 3)).map { _ in
                    MetricPoint(step: Int64(s.rng.next() % 3), timestamp: 0, value: pick(values))
                }
            }
            let note = s.rng.next() % 3 == 0 ? pick(["x", "y", "2"]) : nil
            let status: RunStatus? = s.rng.next() % 2 == 0 ? pick([.finished, .failed, .killed]) : nil
            let deleted = s.rng.next() % 10 == 0
            if !params.isEmpty { s.add(key, RunParams(run: run.id, params: params)) }
            if !series.isEmpty { s.add(key, RunMetrics(run: run.id, series: series)) }
            if let note { s.add(key, RunTags(run: run.id, tags: ["note": note])) }
            if let status { s.add(key, RunFinish(run: run.id, status: status, endTime: 1)) }
            if deleted { s.add(key, EntityDelete(target: run.id)) }
        }
        let t = try TemporaryLedger()
        _ = try t.ledger.ingest(s.interleaved(), nowMs: now)
        return (t, experiment)
    }

    @Test func pagesInSQLAreThePagesOfTheRunsInMemory() throws {
        let (t, experiment) = try sweep(runs: 300)
        let all = try t.ledger.withoutDeleted(t.ledger.runSummaries(experiment: experiment)) { $0.id }
        #expect(all.count > 200)
        let filters = [
            "", "params.lr > 0.01", "params.lr = abc", "params.lr != 0.1", "params.lr <= Zeta", "params.opt >= 10",
            "metrics.acc > 0", "metrics.acc != 0.5", "metrics.loss <= 0 and params.opt = adam", "metrics.acc = nan",
            "status = running", "status != finished and host = gpu1", "author = Alice", "author != Alice", "tags.note = 2",
            "name = \"run 3\"", "git < b", "experiment = sweep", "experiment = other", "metrics.none > 1",
        ]
        let sorts = [
            nil, "params.lr", "params.opt", "metrics.acc", "metrics.acc:min", "metrics.loss:max", "tags.note", "name", "status",
            "author", "host", "git", "experiment", "metrics.none",
        ]
        var rng = SplitMix(seed: 4)
        var compared = 0
        for filter in filters {
            for sort in sorts {
                let query = RunTable.Query(
                    filter: try RunFilter(parsing: filter), sort: try sort.map { try RunTable.Column(parsing: $0) },
                    descending: rng.next() % 2 == 0, page: Int(rng.next() % 4), pageSize: [7, 50, 500][Int(rng.next() % 3)])
                let expected = RunTable.page(all, query)
                let (page, total) = try t.ledger.runTable(experiment: experiment, query)
                let label = "filter '\(filter)' sort \(sort ?? "-") \(query.descending ? "desc" : "asc") page \(query.page)"
                #expect(total == all.count, "\(label)")
                #expect(page.matching == expected.matching && page.page == expected.page && page.pageCount == expected.pageCount, "\(label)")
                #expect(page.rows.map(\.id) == expected.rows.map(\.id), "\(label)")
                #expect(page.rows.map(\.params) == expected.rows.map(\.params), "\(label)")
                compared += page.rows.count
            }
        }
        #expect(compared > 10_000)
    }

    @Test func defaultColumnsAreTheCommonKeysOfTheNewestRuns() throws {
        let (t, experiment) = try sweep(runs: 120)
        let all = try t.ledger.withoutDeleted(t.ledger.runSummaries(experiment: experiment)) { $0.id }
        #expect(try t.ledger.commonColumns(experiment: experiment) == RunTable.defaultColumns(for: all))
        #expect(
            try t.ledger.commonColumns(experiment: experiment, params: 1, metrics: 1, sample: 10)
                == RunTable.defaultColumns(for: Array(all.prefix(10)), params: 1, metrics: 1))
    }
}
