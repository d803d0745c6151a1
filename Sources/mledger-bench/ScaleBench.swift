import Foundation
import LedgerDashboard
import LedgerMLflow
import LedgerModel
import LedgerProtocol
import LedgerStore
import LedgerWeb

/// `mledger-bench --scale` (`make bench-scale`): a big team's history on one laptop. 100,000 runs with
/// 10 params and 5 metrics each; the runs table must cost what one page costs, not what the experiment
/// holds. BENCH_SCALE shrinks the fixture as for the other sections.
func runScaleBench(in temp: URL) async throws {
    let key = SigningKey(seed: [UInt8](repeating: 0x5C, count: 32))!
    let ledger = try Ledger(path: temp.appendingPathComponent("scale.sqlite").path)
    try ledger.append(try .init(TeamGenesis(name: "bench")), signer: key)
    let team = try ledger.team()!
    let experiment = EntityID.experiment(team: team, name: "sweep")
    try ledger.append(try .init(ExperimentCreate(name: "sweep")), signer: key)

    let runCount = scaled(100_000)
    var elapsed = 0.0
    await Task.yield()
    elapsed = try seconds { _ = try appendSweep(ledger, experiment: experiment, runs: runCount, key: key, extraParams: 5, extraMetrics: 3) }
    print(
        "Scale: \(runCount) runs with 10 params and 5 metrics of 5 points each (\(3 * runCount) signed events, appended in \(String(format: "%.1f", elapsed)) s)"
    )

    let context = PageContext(viewer: "bench")
    var html = HTML.empty
    let first = try await median(5) {
        html = try await DashboardPages(ledger: ledger).runsTable(experiment: experiment.hex, FormData(parsing: ""), context)
    }
    show("runs table, first view (50 rows, default columns)", first, bytes: html.markup.utf8.count)
    let form = FormData(parsing: "filter=params.optimizer+%3D+adam+and+metrics.acc+%3E+0.5&sort=metrics.loss%3Amin&order=asc&page=3")
    let pages = DashboardPages(ledger: ledger)
    let resorted = try await median(5) { html = try await pages.runsTable(experiment: experiment.hex, form, context) }
    show("runs table, filtered (2 clauses) and re-sorted, page 3", resorted, bytes: html.markup.utf8.count, target: 100)
    let query = RunTable.Query(
        filter: try RunFilter(parsing: "params.optimizer = adam and metrics.acc > 0.5"), sort: try RunTable.Column(parsing: "metrics.loss:min"),
        descending: false, page: 3)
    let sql = try await median(5) { _ = try ledger.runTable(experiment: experiment, query) }
    show("  of which the page in SQL", sql, bytes: 0, target: 100)
    let byParam = RunTable.Query(filter: try RunFilter(parsing: "params.p3 > 500"), sort: try RunTable.Column(parsing: "params.lr"), page: 10)
    let paramPage = try await median(5) { _ = try ledger.runTable(experiment: experiment, byParam) }
    show("runs page sorted by a param, filtered by another (SQL)", paramPage, bytes: 0, target: 100)
    let mlflow = MLflowService(ledger: ledger, signer: key, blobs: BlobStore(directory: temp.appendingPathComponent("scale-blobs")))
    let search = try SearchFilter(parsing: "params.optimizer = 'adam' and metrics.acc > 0.5")
    let order = [try SearchOrder(parsing: "metrics.loss ASC")]
    var found = 0
    let searched = try await median(5) {
        found = try mlflow.searchRuns(experiments: [experiment.hex], filter: search, orders: order, viewType: nil, offset: 0, limit: 100).page.count
    }
    show("search_runs: 2 clauses, ordered by a metric, \(found) results", searched, bytes: 0, target: 100)
    let everything = try await median(1) { _ = try ledger.runSummaries(experiment: experiment) }
    show("for scale: reading every run (the old first view)", everything, bytes: 0, target: 1_000)
}
