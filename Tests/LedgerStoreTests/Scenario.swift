import Foundation
import LedgerModel
import LedgerProtocol
import LedgerTestSupport

@testable import LedgerStore

/// A team of three whose members worked offline: same-named experiments and models, concurrent params,
/// versions created offline with the same number, conflicting promotions, concurrent descriptions.
struct Scenario {
    let team: LedgerID
    let alice: SigningKey, bob: SigningKey, carol: SigningKey
    var events: [SignedEvent] = []
    var writers: [PublicKey: ChainWriter] = [:]
    var rng: SplitMix
    let baseMs: UInt64 = 1_767_225_600_000

    init(seed: UInt64) {
        rng = SplitMix(seed: seed)
        alice = SigningKey(seed: [UInt8](repeating: 0xA1, count: 32))!
        bob = SigningKey(seed: [UInt8](repeating: 0xB0, count: 32))!
        carol = SigningKey(seed: [UInt8](repeating: 0xC4, count: 32))!
        var w = ChainWriter(key: alice)
        let genesis = w.next(TeamGenesis(name: "vision"), team: .zero, nowMs: baseMs)
        team = genesis.id
        writers[alice.publicKey] = w
        writers[bob.publicKey] = ChainWriter(key: bob)
        writers[carol.publicKey] = ChainWriter(key: carol)
        events = [genesis]
        // Members start after they joined: they pulled the team's ledger first.
        let bobAdded = add(alice, MemberAdd(member: bob.publicKey, role: .maintainer, name: "Bob"))
        let carolAdded = add(alice, MemberAdd(member: carol.publicKey, role: .writer, name: "Carol"))
        writers[bob.publicKey]?.observe(clock: bobAdded.envelope.clock)
        writers[carol.publicKey]?.observe(clock: carolAdded.envelope.clock)
    }

    /// Signs the next event of `key` at a slightly random time, after the heads it names (its author saw them).
    @discardableResult
    mutating func add(_ key: SigningKey, _ body: some BodyFields, heads: [LedgerID] = []) -> SignedEvent {
        var w = writers[key.publicKey]!
        for event in events where heads.contains(event.id) { w.observe(clock: event.envelope.clock) }
        let event = w.next(body, team: team, heads: heads, nowMs: baseMs + rng.next() % 5_000)
        writers[key.publicKey] = w
        events.append(event)
        return event
    }

    /// Each member logs offline; returns the ids that later tests refer to.
    mutating func workOffline(runsPerMember: Int = 3) -> (model: LedgerID, versions: [LedgerID], promotions: [LedgerID]) {
        let experiment = EntityID.experiment(team: team, name: "mnist")
        let model = EntityID.model(team: team, name: "digits")
        var versions = [LedgerID]()
        var promotions = [LedgerID]()
        for key in [alice, bob, carol] {
            add(key, IdentityProfile(name: key.publicKey == alice.publicKey ? "Alice" : key.publicKey == bob.publicKey ? "Bob" : "Carol"))
            add(key, ExperimentCreate(name: "mnist", description: "from \(key.publicKey.fingerprint)"))
            add(key, ModelCreate(name: "digits"))
            for r in 0..<runsPerMember {
                let run = add(key, RunStart(experiment: experiment, name: "run-\(r)", gitCommit: "abc", gitDirty: r % 2 == 0))
                add(key, RunParams(run: run.id, params: ["lr": "0.0\(r + 1)", "seed": "\(r)"]))
                let points = (0..<50).map { s in MetricPoint(step: Int64(s), timestamp: Int64(baseMs) + Int64(s), value: 1.0 / Double(s + 1 + r)) }
                add(
                    key,
                    RunMetrics(
                        run: run.id,
                        series: [
                            "loss": Array(points[..<25]),
                            "acc": points.map { MetricPoint(step: $0.step, timestamp: $0.timestamp, value: 1 - $0.value) },
                        ]))
                add(key, RunMetrics(run: run.id, series: ["loss": Array(points[25...])]))
                add(key, RunTags(run: run.id, tags: ["owner": key.publicKey.fingerprint]))
                add(key, RunArtifacts(run: run.id, files: [ArtifactFile(path: "model.bin", sha256: Hashing.sha256([UInt8(r)]), size: 1)]))
                add(key, RunFinish(run: run.id, status: r == 1 ? .failed : .finished, endTime: Int64(baseMs) + 100))
                // MLflow 3: a logged model of the run, its upload finished, the data it read, its output.
                let logged = add(
                    key,
                    LoggedModelCreate(
                        experiment: experiment, name: "cnn-\(r)", run: run.id, modelType: "sklearn",
                        params: ["lr": "0.0\(r + 1)"], tags: ["flavor": "sklearn"]))
                add(
                    key,
                    LoggedModelUpdate(
                        model: logged.id, status: .ready, tags: ["checked": "yes"], removedTags: ["flavor"],
                        files: [ArtifactFile(path: "model/model.pkl", sha256: Hashing.sha256([UInt8(r)]), size: 1)]))
                add(
                    key,
                    RunInputs(
                        run: run.id,
                        datasets: [
                            DatasetInput(
                                name: "mnist-train", digest: "d\(r)", sourceType: "local",
                                source: "{}", tags: ["mlflow.data.context": "training"])
                        ]))
                add(key, RunOutputs(run: run.id, models: [.init(model: logged.id, step: Int64(r))]))
                if r == 2 { add(key, EntityDelete(target: logged.id, reason: "superseded")) }
                if r == 0 && key.publicKey != carol.publicKey {
                    let v = add(
                        key,
                        VersionCreate(
                            model: model, run: run.id, files: [ArtifactFile(path: "model.bin", sha256: Hashing.sha256([0]), size: 1)],
                            claimedNumber: 1))
                    versions.append(v.id)
                    promotions.append(add(key, Promote(model: model, version: v.id, alias: "production", reason: "best on my holdout")).id)
                    add(key, CommentAdd(target: v.id, text: "<script>alert('x')</script> looks fine"))
                }
            }
            add(key, ExperimentDescribe(experiment: experiment, description: "concurrent edit by \(key.publicKey.fingerprint)"))
            // Concurrent tombstones of one entity: the latest in merge order wins, whatever the arrival order.
            add(key, EntityDelete(target: model, restore: key.publicKey != bob.publicKey))
        }
        return (model, versions, promotions)
    }

    /// Shuffles events across authors while keeping each author's chain in order (how sync delivers them).
    mutating func interleaved() -> [SignedEvent] {
        var queues = Dictionary(grouping: events, by: \.envelope.author).mapValues { $0.sorted { $0.envelope.seq < $1.envelope.seq } }
        var out = [SignedEvent]()
        // The genesis defines the team; a new member receives it first.
        if let g = events.first(where: { $0.envelope.kind == .teamGenesis }) {
            out.append(g)
            queues[g.envelope.author]?.removeFirst()
        }
        while !queues.isEmpty {
            let authors = queues.keys.sorted()
            let pick = authors[Int(rng.next() % UInt64(authors.count))]
            out.append(queues[pick]!.removeFirst())
            if queues[pick]!.isEmpty { queues[pick] = nil }
        }
        return out
    }
}

/// A fresh ledger in a temporary folder, removed when the test ends.
final class TemporaryLedger {
    let directory: URL
    let ledger: Ledger

    init(concurrentReads: Bool = false) throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("mledger-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        ledger = try Ledger(path: directory.appendingPathComponent("ledger.sqlite").path, concurrentReads: concurrentReads)
    }

    deinit { try? FileManager.default.removeItem(at: directory) }
}
