import Foundation
import LedgerModel
import LedgerProcesses
import LedgerProtocol
import LedgerStore
import LedgerSync

/// Relays on one PostgreSQL (a throwaway cluster on this machine, fsync on): ingest through one relay and
/// through two at once, next to the SQLite relay's figure measured in the same run, and a fresh client's
/// pull of a large log through a PostgreSQL relay.
func runSharedRelayBench(in temp: URL, relayBinary: URL, sqliteIngestRate: Double, pullLog prepared: URL) async throws {
    let cluster = try PostgresCluster(durable: true)
    defer { cluster.stop() }
    try cluster.warmUp()
    // The pull above wrote a large log: it reaches the disk before these figures are timed, as the SQLite
    // relay's ingest started on a quiet disk.
    sync()
    let admin = SigningKey(seed: [UInt8](repeating: 0x11, count: 32))!
    let writer = SigningKey(seed: [UInt8](repeating: 0x33, count: 32))!
    print("Relays on one PostgreSQL (release mledger-relay, local PostgreSQL, fsync on, warmed up: its WAL files written once):")

    // One relay: the same kind of log as the SQLite figure above, pushed by one client. A SQLite relay
    // ingests the same log just before, so the share compares figures taken back to back, not minutes
    // apart (a shared machine's speed drifts over a run; the earlier SQLite figure is printed beside).
    let count = scaled(100_000)
    let one = try BenchTeam(at: temp.appendingPathComponent("pg-one"), admin: admin, writer: writer)
    try one.fill(one.adminLedger, signer: admin, count: count)
    let oneCount = try one.adminLedger.eventCount()
    let sqliteRelay = try RelayProcess(team: one.team.hex, data: temp.appendingPathComponent("pg-beside-sqlite"), binary: relayBinary)
    let sqliteTime = try await asyncSeconds { _ = try await one.push(one.adminLedger, key: admin, to: sqliteRelay.url) }
    sqliteRelay.stop()
    let besideRate = Double(oneCount) / sqliteTime
    report(
        "SQLite relay, the same log, just before", oneCount, "events", sqliteTime,
        note: String(format: "  [%.0f/s in the relay section above]", sqliteIngestRate))
    let relay = try RelayProcess(
        team: one.team.hex, data: temp.appendingPathComponent("pg-relay-1"), binary: relayBinary, database: try cluster.createDatabase())
    let oneTime = try await asyncSeconds { _ = try await one.push(one.adminLedger, key: admin, to: relay.url) }
    let oneRate = Double(oneCount) / oneTime
    report(
        "one relay ingest (push, verify, store)", oneCount, "events", oneTime, target: 0.8 * besideRate,
        note: String(format: "  [%.0f%% of the SQLite relay's %.0f/s just before; goal >= 80%%]", 100 * oneRate / besideRate, besideRate))
    relay.stop()

    // Two relays on one database, two authors pushing at once, one through each.
    let two = try BenchTeam(at: temp.appendingPathComponent("pg-two"), admin: admin, writer: writer)
    let database = try cluster.createDatabase()
    let relays = try (1...2).map { i in
        try RelayProcess(team: two.team.hex, data: temp.appendingPathComponent("pg-relay-2-\(i)"), binary: relayBinary, database: database)
    }
    // The team's first events go in before the clock starts.
    _ = try await two.push(two.adminLedger, key: admin, to: relays[0].url)
    try two.fill(two.adminLedger, signer: admin, count: count / 2)
    try two.fill(two.writerLedger, signer: writer, count: count / 2)
    let twoTime = try await asyncSeconds {
        async let a = two.push(two.adminLedger, key: admin, to: relays[0].url)
        async let b = two.push(two.writerLedger, key: writer, to: relays[1].url)
        _ = try await (a, b)
    }
    let twoCount = count / 2 * 2 + 2
    report("two relays ingest, one pusher each", twoCount, "events", twoTime, note: "  [2 cores shared by relays, clients, PostgreSQL]")
    for relay in relays { relay.stop() }

    // A fresh client pulls a large log through a relay on PostgreSQL: the SQLite relay's log from above is
    // copied in with migrate, and the relay starts on the migrated folder, whose copy is then complete.
    let pullDatabase = try cluster.createDatabase()
    let migrateTime = try seconds {
        let r = try RelayProcess.command(["migrate", "--from", prepared.path, "--to", pullDatabase], binary: relayBinary)
        precondition(r.ok, "migrate failed: \(r.stderr)")
    }
    let reader = SigningKey(seed: [UInt8](repeating: 0x22, count: 32))!
    let pullTeam = try Ledger(path: prepared.appendingPathComponent("relay.sqlite").path).team()!
    let pullRelay = try RelayProcess(team: pullTeam.hex, data: prepared, binary: relayBinary, database: pullDatabase)
    let total = try Ledger(path: prepared.appendingPathComponent("relay.sqlite").path).eventCount()
    report("migrate (verify, copy into PostgreSQL)", total, "events", migrateTime)
    // As for the SQLite relay: the migration's writes reach the disk before the pull is timed.
    sync()
    let (pulled, pullTime) = try await freshPull(from: pullRelay, into: temp.appendingPathComponent("pg-fresh.sqlite"), key: reader)
    let pullTarget = 45.0 * Double(total) / 1_000_000
    print(
        "  \("fresh client pulls through PostgreSQL".padding(toLength: 44, withPad: " ", startingAt: 0)) \(String(format: "%.1f s", pullTime)) for \(pulled) events (\(rate(pulled, pullTime)) events/s)  [target < \(String(format: "%.1f", pullTarget)) s: \(pullTime < pullTarget ? "met" : "MISSED")]"
    )
    pullRelay.stop()
}

/// A bench team: the admin's ledger (genesis, a reader, a writer) and the writer's, holding the same start.
struct BenchTeam {
    let adminLedger: Ledger
    let writerLedger: Ledger
    let team: LedgerID

    init(at folder: URL, admin: SigningKey, writer: SigningKey) throws {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        adminLedger = try Ledger(path: folder.appendingPathComponent("admin.sqlite").path)
        try adminLedger.append(try .init(TeamGenesis(name: "bench")), signer: admin)
        team = try adminLedger.team()!
        let reader = SigningKey(seed: [UInt8](repeating: 0x22, count: 32))!
        try adminLedger.append(
            [
                try .init(MemberAdd(member: reader.publicKey, role: .reader)), try .init(MemberAdd(member: writer.publicKey, role: .writer)),
                try .init(ExperimentCreate(name: "bench")),
            ], signer: admin)
        writerLedger = try Ledger(path: folder.appendingPathComponent("writer.sqlite").path)
        _ = try writerLedger.ingest(try adminLedger.events(beyond: [:], limit: 100).events)
    }

    /// A run by `signer` and `count` small tag events on it.
    func fill(_ ledger: Ledger, signer: SigningKey, count: Int) throws {
        let run = try ledger.append(try .init(RunStart(experiment: EntityID.experiment(team: team, name: "bench"), name: "bench")), signer: signer).id
        try appendTags(ledger, run: run, count: count, signer: signer)
    }

    /// Pushes what the relay lacks; every event must be accepted.
    func push(_ ledger: Ledger, key: SigningKey, to url: String) async throws -> Int {
        let name = "r\(abs(url.hashValue))"
        if try !ledger.remotes().contains(where: { $0.name == name }) { try ledger.addRemote(name: name, url: url) }
        let remote = try ledger.remotes().first { $0.name == name }!
        let summary = try await Syncer(ledger: ledger, remote: remote, key: key, blobs: nil).push()
        precondition(summary.rejectedByRelay.isEmpty, "bench events must all be accepted: \(summary.rejectedByRelay.first ?? "")")
        return summary.pushed
    }
}
