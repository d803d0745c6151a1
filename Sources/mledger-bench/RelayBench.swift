import Foundation
import LedgerModel
import LedgerProcesses
import LedgerProtocol
import LedgerRelay
import LedgerStore
import LedgerSync

/// Relay ingest over loopback, a fresh client's pull of a large log, and the relay's memory meanwhile.
func runRelayBench(in temp: URL, rawVerify: Limit) async throws {
    let relayBinary = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("mledger-relay")
    let admin = benchAdmin
    let reader = benchReader
    func team(at path: String, events count: Int) throws -> (Ledger, LedgerID) { try benchTeam(at: path, events: count) }

    print("Relay over loopback (release mledger-relay, embedded SQLite):")

    // Ingest: one client pushes a prepared log in batches; the relay verifies and stores every event.
    let ingestCount = scaled(100_000)
    let (source, sourceTeam) = try team(at: temp.appendingPathComponent("source.sqlite").path, events: ingestCount)
    let ingestRelay = try RelayProcess(team: sourceTeam.hex, data: temp.appendingPathComponent("relay-ingest"), binary: relayBinary)
    try source.addRemote(name: "relay", url: ingestRelay.url)
    let pusher = try Syncer(ledger: source, remote: try source.remotes()[0], key: admin, blobs: nil)
    let total = try source.eventCount()
    var pushed = 0
    let ingestTime = try await asyncSeconds {
        let summary = try await pusher.push()
        precondition(summary.rejectedByRelay.isEmpty, "bench events must all be accepted: \(summary.rejectedByRelay.first ?? "")")
        pushed = summary.pushed
    }
    precondition(pushed == total)
    report("relay ingest (push, verify, store)", pushed, "events", ingestTime, limit: rawVerify, share: 0.75)
    let sqliteIngestRate = Double(pushed) / ingestTime
    // The pusher's next sync pulls its own events back: it holds them, so none is verified again, and
    // the rate can exceed raw verify.
    var back = 0
    let backTime = try await asyncSeconds { back = try await pusher.run().pullDuplicates }
    precondition(back == pushed, "the pusher pulls back what it pushed, as duplicates")
    report(
        "pull back own pushed events (not re-verified)", back, "events", backTime,
        note: String(format: "  [raw verify on all cores: %.0f/s]", rawVerify.rate))
    ingestRelay.stop()

    // A fresh client pulls a large log: fetch pages, verify every signature and chain, store, project.
    let pullCount = scaled(1_000_000)
    let prepared = temp.appendingPathComponent("relay-pull")
    try FileManager.default.createDirectory(at: prepared, withIntermediateDirectories: true)
    let prepareTime = try seconds { _ = try team(at: prepared.appendingPathComponent("relay.sqlite").path, events: pullCount) }
    let pullLedger = try Ledger(path: prepared.appendingPathComponent("relay.sqlite").path)
    let pullTeam = try pullLedger.team()!
    // The relay grows its transparency log as events arrive; a prepared history gets it before the pull.
    let logTime = try seconds {
        let storage = try SQLiteLogStorage(path: prepared.appendingPathComponent("transparency.sqlite").path)
        _ = try TransparencyLog(storage: storage).catchUp(ledger: pullLedger, team: pullTeam)
    }
    // Written back to disk before the clock starts: the pull should not pay for the preparation's writes.
    sync()
    print(
        "  (prepared a relay log of \(pullCount) events in \(String(format: "%.0f", prepareTime)) s, its transparency log in \(String(format: "%.1f", logTime)) s)"
    )
    let pullRelay = try RelayProcess(team: pullTeam.hex, data: prepared, binary: relayBinary)
    let (pulled, pullTime) = try await freshPull(from: pullRelay, into: temp.appendingPathComponent("fresh.sqlite"), key: reader)
    report("fresh client pulls, verifies, stores", pulled, "events", pullTime, limit: rawVerify, share: 0.75)
    let peak = pullRelay.peakMemory() ?? 0
    print(
        "  \("relay peak memory (VmHWM) during the pull".padding(toLength: 44, withPad: " ", startingAt: 0)) \(peak >> 20) MB  [target < 150 MB: \(peak < 150 << 20 ? "met" : "MISSED")]"
    )
    pullRelay.stop()
    print("")
    try await runSharedRelayBench(in: temp, relayBinary: relayBinary, sqliteIngestRate: sqliteIngestRate, pullLog: prepared)
}

// Fixed seeds always yield keys.
let benchAdmin = SigningKey(seed: [UInt8](repeating: 0x11, count: 32))!
let benchReader = SigningKey(seed: [UInt8](repeating: 0x22, count: 32))!

/// A ledger holding a team (admin, plus a reader) and `count` small events by the admin.
func benchTeam(at path: String, events count: Int) throws -> (Ledger, LedgerID) {
    let ledger = try Ledger(path: path)
    try ledger.append(try .init(TeamGenesis(name: "bench")), signer: benchAdmin)
    let team = try ledger.team()!
    try ledger.append(
        [try .init(MemberAdd(member: benchReader.publicKey, role: .reader)), try .init(ExperimentCreate(name: "bench"))], signer: benchAdmin)
    let run = try ledger.append(try .init(RunStart(experiment: EntityID.experiment(team: team, name: "bench"), name: "bench")), signer: benchAdmin).id
    try appendTags(ledger, run: run, count: count, signer: benchAdmin)
    return (ledger, team)
}

/// `count` small tag events on `run`, signed by `signer` in batches of 5,000.
func appendTags(_ ledger: Ledger, run: LedgerID, count: Int, signer: SigningKey) throws {
    var i = 0
    while i < count {
        let drafts = try (i..<min(i + 5000, count)).map { n in try Ledger.Draft(RunTags(run: run, tags: ["k\(n % 50)": "value \(n)"])) }
        try ledger.append(drafts, signer: signer)
        i += 5000
    }
}

func asyncSeconds(_ body: () async throws -> Void) async rethrows -> Double {
    let start = DispatchTime.now().uptimeNanoseconds
    try await body()
    return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
}

/// A fresh client's first sync from `relay` into a new ledger at `path`: the events pulled and the seconds.
func freshPull(from relay: RelayProcess, into path: URL, key: SigningKey) async throws -> (pulled: Int, seconds: Double) {
    let fresh = try Ledger(path: path.path)
    try fresh.addRemote(name: "origin", url: relay.url)
    let syncer = try Syncer(ledger: fresh, remote: try fresh.remotes()[0], key: key, blobs: nil)
    var summary: Syncer.Summary?
    let seconds = try await asyncSeconds { summary = try await syncer.run() }
    let pulled = summary?.pulled ?? 0
    let stored = try fresh.eventCount()
    precondition(pulled == stored, "every pulled event is stored")
    return (pulled, seconds)
}
