import Foundation
import LedgerDashboard
import LedgerModel
import LedgerProtocol
import LedgerStore
import LedgerWeb

/// Server-side render times of the dashboard's two heaviest pages: the runs table over 10,000 runs and
/// a run page whose metric has 1,000,000 points. Each figure is the median of several renders.
func runDashboardBench(in temp: URL) async throws {
    let key = SigningKey(seed: [UInt8](repeating: 0x44, count: 32))!
    let ledger = try Ledger(path: temp.appendingPathComponent("dashboard.sqlite").path)
    try ledger.append(try .init(TeamGenesis(name: "bench")), signer: key)
    let team = try ledger.team()!
    let experiment = EntityID.experiment(team: team, name: "sweep")
    try ledger.append(try .init(ExperimentCreate(name: "sweep")), signer: key)

    let runCount = scaled(10_000)
    let runIDs = try appendSweep(ledger, experiment: experiment, runs: runCount, key: key)
    let pointCount = scaled(1_000_000)
    let chartRun = runIDs[0]
    for start in stride(from: 0, to: pointCount, by: 100_000) {
        let drafts = try stride(from: start, to: min(start + 100_000, pointCount), by: 10_000).map { s -> Ledger.Draft in
            let points = (s..<min(s + 10_000, pointCount)).map { i -> MetricPoint in
                let x = Double(i)
                return MetricPoint(step: Int64(i), timestamp: Int64(i), value: 1 / (x + 1) + sin(x / 1000) / 50)
            }
            return try Ledger.Draft(RunMetrics(run: chartRun, series: ["val_loss": points]))
        }
        try ledger.append(drafts, signer: key)
    }

    let pages = DashboardPages(ledger: ledger)
    let context = PageContext(viewer: "bench")
    print("Dashboard, server-side render (median of 5; \(runCount) runs with 5 params and 2 metrics each; one metric of \(pointCount) points):")
    var html = HTML.empty
    let form = FormData(parsing: "")
    let cold = try await median(5) {
        // New pages each time: nothing kept from the previous view.
        html = try await DashboardPages(ledger: ledger).runsTable(experiment: experiment.hex, form, context)
    }
    show("runs table, first view (one page read in SQL)", cold, bytes: html.markup.utf8.count)
    let summaries = try await median(5) { _ = try ledger.runSummaries(experiment: experiment) }
    show("every run read from SQLite (what the plots page reads)", summaries, bytes: 0)
    _ = try await pages.runsTable(experiment: experiment.hex, form, context)
    let sorting = FormData(parsing: "filter=params.optimizer+%3D+adam+and+metrics.acc+%3E+0.5&sort=metrics.loss%3Amin&order=asc&page=3")
    let warm = try await median(5) { html = try await pages.runsTable(experiment: experiment.hex, sorting, context) }
    show("runs table, filtered and re-sorted (in SQL)", warm, bytes: html.markup.utf8.count)
    let runPage = try await median(5) { html = try pages.run(chartRun.hex, form, context) }
    show("run page with the \(pointCount)-point chart (read, LTTB, SVG)", runPage, bytes: html.markup.utf8.count)
    var points = [MetricPoint]()
    let history = try await median(5) { points = try ledger.metricHistory(run: chartRun, key: "val_loss") }
    show("  of which reading the \(pointCount) points", history, bytes: 0)
    let chartOnly = await median(5) { html = SVGChart().render([.init(name: "val_loss", points: points)], title: "val_loss") }
    show("  of which the chart alone (LTTB to 1,000 points, SVG)", chartOnly, bytes: html.markup.utf8.count)
}

/// `count` runs of a hyperparameter sweep in `experiment`: five params (lr, batch, layers, optimizer,
/// seed, then `extraParams` more) and two metrics of five points each (acc, loss, then `extraMetrics`
/// more), appended 500 runs at a time.
func appendSweep(
    _ ledger: Ledger, experiment: LedgerID, runs count: Int, key: SigningKey, extraParams: Int = 0, extraMetrics: Int = 0
) throws -> [LedgerID] {
    var runIDs = [LedgerID]()
    for start in stride(from: 0, to: count, by: 500) {
        let starts = try (start..<min(start + 500, count)).map { try Ledger.Draft(RunStart(experiment: experiment, name: "trial-\($0)")) }
        let ids = try ledger.append(starts, signer: key).map(\.id)
        runIDs += ids
        let details = try ids.enumerated().flatMap { offset, id -> [Ledger.Draft] in
            let n = start + offset
            let points = (0..<5).map { MetricPoint(step: Int64($0), timestamp: Int64($0), value: Double((n * 7 + $0) % 1000) / 1000) }
            var params = ["lr": String(Double(n % 20) / 1000), "batch": String(32 << (n % 4)), "layers": String(n % 8)]
            params["optimizer"] = n % 2 == 0 ? "adam" : "sgd"
            params["seed"] = String(n)
            for p in 0..<extraParams { params["p\(p)"] = String((n * 31 + p * 17) % 997) }
            var series = ["acc": points, "loss": points.map { MetricPoint(step: $0.step, timestamp: $0.timestamp, value: 1 - $0.value) }]
            for m in 0..<extraMetrics {
                series["m\(m)"] = points.map { MetricPoint(step: $0.step, timestamp: $0.timestamp, value: $0.value * Double(m + 2)) }
            }
            return [
                try .init(RunParams(run: id, params: params)), try .init(RunMetrics(run: id, series: series)),
            ]
        }
        try ledger.append(details, signer: key)
    }
    return runIDs
}

/// The median time of `runs` calls, in milliseconds.
func median(_ runs: Int, _ body: () async throws -> Void) async rethrows -> Double {
    var times = [Double]()
    for _ in 0..<runs {
        let start = DispatchTime.now().uptimeNanoseconds
        try await body()
        times.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6)
    }
    return times.sorted()[times.count / 2]
}

/// One render time with the page's size and its target (200 ms unless given).
func show(_ name: String, _ ms: Double, bytes: Int, target: Double = 200) {
    let verdict = ms < target ? "[target < \(Int(target)) ms: met]" : "[target < \(Int(target)) ms: MISSED]"
    let size = bytes > 0 ? "  (\(bytes / 1024) KiB of HTML)" : ""
    print("  \(name.padding(toLength: 58, withPad: " ", startingAt: 0)) \(String(format: "%7.1f", ms)) ms\(size)  \(verdict)")
}
