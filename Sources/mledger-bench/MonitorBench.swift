import Foundation
import LedgerModel
import LedgerProcesses
import LedgerProtocol
import LedgerStore

/// Production monitoring: how fast signed production points are ingested, and how long a scrape of a
/// serving app's Prometheus page takes to be durable in the ledger (the release `mledger monitor scrape`
/// against a page on 127.0.0.1).
func runMonitorBench(in temp: URL) async throws {
    let key = SigningKey(seed: [UInt8](repeating: 0x33, count: 32))!
    let ledger = try Ledger(path: temp.appendingPathComponent("monitor.sqlite").path)
    try ledger.append(try .init(TeamGenesis(name: "bench")), signer: key)
    let team = try ledger.team()!
    let model = EntityID.model(team: team, name: "digits")
    try ledger.append(try .init(ModelCreate(name: "digits")), signer: key)
    let version = try ledger.append(try .init(VersionCreate(model: model, run: nil, files: [], claimedNumber: 1)), signer: key).id
    let now = Int64(wallClockMs())

    /// `count` events of `series` x `points` production points, `perCommit` events per durable commit.
    func ingest(events count: Int, series: Int, points: Int, perCommit: Int) throws -> Double {
        try seconds {
            var i = 0
            while i < count {
                var drafts = [Ledger.Draft]()
                for n in i..<min(i + perCommit, count) {
                    var batch = [String: [MetricPoint]]()
                    for s in 0..<series {
                        batch["metric_\(s)"] = (0..<points).map { p in
                            let step = Int64(n * points + p)
                            return MetricPoint(step: step, timestamp: now + step, value: Double(s) + 0.001 * Double(p))
                        }
                    }
                    drafts.append(try Ledger.Draft(MonitorPoints(model: model, environment: "production", version: version, series: batch)))
                }
                try ledger.append(drafts, signer: key)
                i += perCommit
            }
        }
    }

    print("Production points (monitor.points; SQLite WAL, synchronous=FULL):")
    let batched = scaled(2_000)
    report(
        "points, 10x100 per event, 100 events/commit", batched * 1000, "points", try ingest(events: batched, series: 10, points: 100, perCommit: 100))
    let scrapes = scaled(500)
    let one = try ingest(events: scrapes, series: 20, points: 1, perCommit: 1)
    report("points, 20 per event, 1 commit each", scrapes * 20, "points", one, note: "  (\(rate(scrapes, one)) events/s)")

    // Scrape to ledger: the release binary reading a serving app's page of 20 series, each scrape signed
    // and committed before the next.
    let binDir = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
    setenv("MLEDGER_BIN_DIR", binDir.path, 1)
    let cli = try CLIProcess(parent: temp)
    for args in [
        ["init", "--team", "bench", "--name", "Bench"], ["model", "create", "digits"],
    ] { _ = try cli.succeed(args) }
    let file = cli.workspace.appendingPathComponent("model.json")
    try Data("{}".utf8).write(to: file)
    _ = try cli.succeed(["model", "version", "create", "digits", "--artifact", file.path])
    _ = try cli.succeed(["deploy", "record", "digits", "1", "--env", "production", "--reason", "bench"])
    let folder = temp.appendingPathComponent("www")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    let server = try StaticHTTPServer(folder: folder)
    defer { server.stop() }
    let page =
        (0..<20).map { "serving_metric_\($0){model_version=\"1\"} \(Double($0) * 0.5)" }.joined(separator: "\n")
        + "\n" + (0..<80).map { "python_other_\($0) \($0)" }.joined(separator: "\n") + "\n"
    try server.write(page, to: "metrics")
    let count = scaled(300)
    let started = Date()
    let out = try cli.succeed([
        "monitor", "scrape", server.url + "/metrics", "--env", "production", "--every", "10ms", "--count", String(count), "--metrics",
        (0..<20).map { "serving_metric_\($0)" }.joined(separator: ","), "--json",
    ])
    let wall = Date().timeIntervalSince(started)
    let outcomes = out.split(separator: "\n").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
    let took = outcomes.compactMap { $0["tookMs"] as? Double }.sorted()
    let points = outcomes.compactMap { $0["points"] as? Int }.reduce(0, +)
    guard took.count == count, outcomes.allSatisfy({ $0["error"] == nil }) else {
        print("  scrape bench failed: \(outcomes.count) of \(count) scrapes, errors: \(outcomes.compactMap { $0["error"] }.prefix(3))")
        return
    }
    print("Scrape to ledger (release mledger monitor scrape; page of 100 series on 127.0.0.1, 20 kept, one signed event per scrape):")
    print(
        "  scrape-to-ledger latency (request to durable commit)  median \(String(format: "%.2f", took[took.count / 2])) ms, p95 \(String(format: "%.2f", took[took.count * 95 / 100])) ms, max \(String(format: "%.2f", took.last ?? 0)) ms  (\(count) scrapes)"
    )
    report("points scraped into the ledger", points, "points", wall, note: "  (scrapes back to back at --every 10ms, process start included)")
}
