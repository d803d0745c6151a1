import Dispatch
import Foundation
import LedgerModel
import LedgerProtocol
import LedgerStore

/// Local logging and verification, as shares of libsodium's raw rates and SQLite's raw insert rate.
/// Returns the raw verify rate on all cores, the limit of every sync.
func runCoreBench(in temp: URL) throws -> Limit {
    // MARK: Physical limits

    let key = SigningKey(seed: [UInt8](repeating: 0x42, count: 32))!
    // Distinct messages: verifying one signature over and over lets the CPU learn its branches and
    // overstates the rate.
    let signCount = scaled(50_000)
    let messages = (0..<signCount).map { i in (0..<300).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ i &* 7919 &+ ($0 >> 3) * i) } }
    var signatures = [[UInt8]]()
    signatures.reserveCapacity(signCount)
    let signTime = seconds { for m in messages { signatures.append(key.sign(m)) } }
    print("libsodium Ed25519 (distinct 300-byte messages):")
    report("sign, one core", signCount, "sig", signTime)
    let cores = ProcessInfo.processInfo.activeProcessorCount
    let signAll = seconds { _ = Parallel.map(count: signCount) { key.sign(messages[$0]) } }
    report("sign, all \(cores) cores", signCount, "sig", signAll)
    let verifyOne = seconds { for i in 0..<signCount / 2 { precondition(key.publicKey.verify(signature: signatures[i], message: messages[i])) } }
    report("verify, one core", signCount / 2, "sig", verifyOne)
    let allSignatures = signatures
    let verifyAll = seconds {
        DispatchQueue.concurrentPerform(iterations: cores) { c in
            for i in stride(from: c, to: signCount, by: cores) {
                precondition(key.publicKey.verify(signature: allSignatures[i], message: messages[i]))
            }
        }
    }
    report("verify, all \(cores) cores", signCount, "sig", verifyAll)
    let rawVerify = Limit(name: "raw verify on all cores", rate: Double(signCount) / verifyAll)
    print("")

    // MARK: Local logging

    let ledger = try Ledger(path: temp.appendingPathComponent("bench.sqlite").path)
    try ledger.append(try .init(TeamGenesis(name: "bench")), signer: key)
    let team = try ledger.team()!
    let experiment = EntityID.experiment(team: team, name: "bench")
    try ledger.append(try .init(ExperimentCreate(name: "bench")), signer: key)
    let run = try ledger.append(try .init(RunStart(experiment: experiment, name: "bench")), signer: key).id

    print("Local ledger (SQLite WAL, synchronous=FULL, one transaction per 1,000 events):")
    let eventCount = scaled(100_000)
    let perTransaction = 1000
    var appended = [SignedEvent]()
    appended.reserveCapacity(eventCount)
    let appendTime = try seconds {
        var i = 0
        while i < eventCount {
            let drafts = try (i..<min(i + perTransaction, eventCount)).map { n in
                try Ledger.Draft(RunTags(run: run, tags: ["tag-\(n % 100)": "value \(n)"]))
            }
            appended += try ledger.append(drafts, signer: key)
            i += perTransaction
        }
    }
    // The same rows, stored by SQLite alone: the floor under append, with signing on all cores.
    let insertTime = try seconds {
        try RawInsert.insert(appended, intoNewLedgerAt: temp.appendingPathComponent("raw-insert.sqlite").path, perTransaction: perTransaction)
    }
    report("raw insert of the same rows (prepared once)", eventCount, "rows", insertTime)
    let signRate = Double(signCount) / signAll
    let insertRate = Double(eventCount) / insertTime
    let appendLimit =
        signRate < insertRate ? Limit(name: "raw sign on all cores", rate: signRate) : Limit(name: "raw insert", rate: insertRate)
    report("signed events appended (run.tags, 1 tag each)", eventCount, "events", appendTime, limit: appendLimit, share: 0.6)

    let pointsPerEvent = 10_000
    let metricEvents = scaled(200)
    let metricTime = try seconds {
        var step: Int64 = 0
        for _ in stride(from: 0, to: metricEvents, by: 10) {
            let drafts = try (0..<10).map { _ -> Ledger.Draft in
                let points = (0..<pointsPerEvent).map { i in
                    MetricPoint(step: step + Int64(i), timestamp: 1_767_225_600_000 + step + Int64(i), value: 1.0 / Double(step + Int64(i) + 1))
                }
                step += Int64(pointsPerEvent)
                return try Ledger.Draft(RunMetrics(run: run, series: ["loss": points]))
            }
            try ledger.append(drafts, signer: key)
        }
    }
    report("metric points logged (\(pointsPerEvent) points/event)", metricEvents * pointsPerEvent, "points", metricTime, target: 1_000_000)

    // MARK: Verification

    let total = try ledger.eventCount()
    var verifyReport: VerifyReport?
    let fullVerify = try seconds { verifyReport = try ledger.verify(projections: false) }
    precondition(verifyReport?.ok == true, "the benchmark ledger must verify")
    report("full-ledger verify (signatures, ids, chains)", total, "events", fullVerify, limit: rawVerify, share: 0.8)
    let rebuildTime = try seconds { try ledger.rebuild() }
    report("rebuild views from events", total, "events", rebuildTime)

    return rawVerify
}
