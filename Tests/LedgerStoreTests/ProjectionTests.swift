import Foundation
import GRDB
import LedgerModel
import LedgerProtocol
import Testing

@testable import LedgerStore

@Suite struct ProjectionTests {
    let now: UInt64 = 1_767_225_600_000 + 10_000

    @Test func incrementalViewsEqualARebuildWhateverTheArrivalOrder() throws {
        var scenario = Scenario(seed: 1)
        _ = scenario.workOffline()
        var digests = Set<LedgerID>()
        for round in 0..<4 {
            let t = try TemporaryLedger()
            let events = scenario.interleaved()
            var i = 0
            // Random batch sizes, as pulls of different page sizes would deliver them.
            while i < events.count {
                let n = 1 + Int(scenario.rng.next() % 40)
                let results = try t.ledger.ingest(Array(events[i..<min(i + n, events.count)]), nowMs: now)
                #expect(results.values.allSatisfy { $0 == .accepted }, "round \(round)")
                i += n
            }
            let incremental = try t.ledger.projectionDigest()
            try t.ledger.rebuild()
            #expect(try t.ledger.projectionDigest() == incremental, "rebuild differs in round \(round)")
            digests.insert(incremental)
        }
        // Fully shuffled, one event at a time: gaps are rejected and retried until all arrive.
        let t = try TemporaryLedger()
        var pending = scenario.events.shuffled(using: &scenario.rng)
        var rounds = 0
        while !pending.isEmpty && rounds < 20_000 {
            let results = try t.ledger.ingest([pending[0]], nowMs: now)
            if results[pending[0].id] == .accepted { pending.removeFirst() } else { pending.append(pending.removeFirst()) }
            rounds += 1
        }
        #expect(pending.isEmpty)
        digests.insert(try t.ledger.projectionDigest())
        #expect(digests.count == 1)
        #expect(try t.ledger.eventCount() == scenario.events.count)
    }

    /// Logged models, datasets and outputs read back as logged; a tombstone hides, and the events stay.
    @Test func loggedModelsDatasetsAndTombstonesProject() throws {
        var scenario = Scenario(seed: 5)
        _ = scenario.workOffline()
        let t = try TemporaryLedger()
        _ = try t.ledger.ingest(scenario.interleaved(), nowMs: now)
        let all = try t.ledger.loggedModels(includeDeleted: true)
        #expect(all.count == 9)
        #expect(try t.ledger.loggedModels().count == 6)
        for m in all {
            #expect(m.status == "ready" && m.tags == ["checked": "yes"] && m.files.map(\.path) == ["model/model.pkl"])
            #expect(m.deleted == m.name.hasSuffix("-2"))
            #expect(try t.ledger.loggedModel(m.mlflowID) == m)
            let run = try t.ledger.run(try #require(LedgerID(hex: m.run ?? "")))
            #expect(run.outputs == [m.id])
            #expect(run.datasets.map(\.name) == ["mnist-train"] && run.datasets.first?.tags["mlflow.data.context"] == "training")
        }
        #expect(throws: StoreError.self) { try t.ledger.loggedModel("m-" + String(repeating: "0", count: 32)) }
    }

    @Test func sameNamedEntitiesMergeAndOfflineVersionsAreRenumbered() throws {
        var scenario = Scenario(seed: 2)
        let ids = scenario.workOffline()
        let t = try TemporaryLedger()
        _ = try t.ledger.ingest(scenario.interleaved(), nowMs: now)
        #expect(try t.ledger.experiments().count == 1)
        #expect(try t.ledger.experiments()[0].runCount == 9)
        let model = try t.ledger.model(named: "digits")
        #expect(model.versions.map(\.number) == [1, 2])
        #expect(model.versions.filter(\.renumbered).count == 1)
        #expect(Set(model.versions.map(\.id)) == Set(ids.versions.map(\.hex)))
        let run = try t.ledger.runs()[0]
        #expect(run.metrics["loss"]?.count == 50)
        #expect(try t.ledger.metricHistory(run: LedgerID(hex: run.id)!, key: "loss").map(\.step) == (0..<50).map(Int64.init))
    }

    @Test func concurrentPromotionsConflictUntilResolved() throws {
        var scenario = Scenario(seed: 3)
        let ids = scenario.workOffline()
        let t = try TemporaryLedger()
        _ = try t.ledger.ingest(scenario.interleaved(), nowMs: now)
        let state = try #require(try t.ledger.aliases(model: ids.model)["production"])
        #expect(state.isConflict)
        #expect(Set(state.heads.map(\.event)) == Set(ids.promotions))
        let shown = try t.ledger.model(named: "digits").aliases.first { $0.alias == "production" }
        #expect(shown?.conflict.count == 2)
        #expect(try t.ledger.audit(model: ids.model).filter(\.conflict).count == 2)

        // Carol resolves it by naming both heads.
        let resolve = scenario.add(
            scenario.carol, Promote(model: ids.model, version: ids.versions[0], alias: "production", reason: "agreed in review"),
            heads: state.heads.map(\.event))
        _ = try t.ledger.ingest([resolve], nowMs: now)
        let after = try #require(try t.ledger.aliases(model: ids.model)["production"])
        #expect(!after.isConflict)
        #expect(after.winner?.value == ids.versions[0])
        let entry = try #require(try t.ledger.audit(model: ids.model).first { $0.event == resolve.id.hex })
        #expect(entry.from.count == 2)
        #expect(entry.reason == "agreed in review")
        #expect(entry.signatureVerified)
        #expect(!entry.conflict)
    }

    /// Even when a forbidden promotion reaches a client (a careless or hostile relay), the client's own
    /// view ignores it: Carol is a writer and `production` needs a maintainer.
    @Test func clientsIgnoreAliasMovesTheAuthorWasNotAllowedToMake() throws {
        var scenario = Scenario(seed: 7)
        let ids = scenario.workOffline(runsPerMember: 1)
        scenario.add(scenario.alice, AliasProtect(alias: "production", role: .maintainer))
        let t = try TemporaryLedger()
        _ = try t.ledger.ingest(scenario.events, nowMs: now)
        let before = try #require(try t.ledger.aliases(model: ids.model)["production"])
        let heads = before.heads.map(\.event)
        let forbidden = scenario.add(
            scenario.carol, Promote(model: ids.model, version: ids.versions[0], alias: "production", reason: "not mine to move"), heads: heads)
        #expect(try t.ledger.ingest([forbidden], nowMs: now)[forbidden.id] == .accepted)
        let after = try #require(try t.ledger.aliases(model: ids.model)["production"])
        #expect(after.heads.map(\.event) == heads)
        let entry = try #require(try t.ledger.audit(model: ids.model).first { $0.event == forbidden.id.hex })
        #expect(!entry.authorized)
        // The same promotion by a maintainer counts.
        let allowed = scenario.add(
            scenario.bob, Promote(model: ids.model, version: ids.versions[0], alias: "production", reason: "agreed"), heads: heads)
        _ = try t.ledger.ingest([allowed], nowMs: now)
        #expect(try t.ledger.aliases(model: ids.model)["production"]?.winner?.event == allowed.id)
    }

    /// A chain's clocks only grow: the first event whose clock falls is refused (`stale_clock`), and the
    /// events after it wait for a predecessor that never comes.
    @Test func aChainWithFallingClocksIsRefusedWhereItFalls() throws {
        let scenario = Scenario(seed: 8)
        let key = scenario.alice
        var events = [SignedEvent]()
        var prev = scenario.events.last { $0.envelope.author == key.publicKey }!
        for i in 0..<2000 {
            let env = Envelope(
                team: scenario.team, author: key.publicKey, seq: prev.envelope.seq + 1, prev: prev.id,
                clock: (now - UInt64(i)) << 16, kind: .experimentCreate, body: ExperimentCreate(name: "e\(i)").encoded())
            prev = SignedEvent(signing: env, with: key)
            events.append(prev)
        }
        let t = try TemporaryLedger()
        _ = try t.ledger.ingest(scenario.events, nowMs: now)
        let results = try t.ledger.ingest(events, nowMs: now)
        #expect(results[events[0].id] == .accepted)
        #expect(results[events[1].id] == .rejected(.staleClock(seq: events[1].envelope.seq)))
        #expect(results.values.filter { if case .rejected(.seqGap) = $0 { true } else { false } }.count == 1998)
        #expect(try t.ledger.eventCount() == scenario.events.count + 1)
        #expect(try t.ledger.verify().ok)
    }

    @Test func forksAreKeptAsEvidenceAndFlagged() throws {
        var scenario = Scenario(seed: 4)
        _ = scenario.workOffline(runsPerMember: 1)
        let t = try TemporaryLedger()
        _ = try t.ledger.ingest(scenario.events, nowMs: now)
        // Bob's laptop restored from a backup signs a different event at an occupied seq.
        let original = try #require(scenario.events.first { $0.envelope.author == scenario.bob.publicKey && $0.envelope.seq == 3 })
        var env = original.envelope
        env.body = ExperimentCreate(name: "restored").encoded()
        env.kind = .experimentCreate
        let fork = SignedEvent(signing: env, with: scenario.bob)
        #expect(try t.ledger.ingest([fork], nowMs: now)[fork.id] == .fork)
        let forks = try t.ledger.forks()
        #expect(forks.count == 1)
        #expect(Set(forks[0].events) == [original.id.hex, fork.id.hex])
        let report = try t.ledger.verify()
        #expect(report.ok)
        #expect(report.forks.count == 1)
    }

    @Test func invalidEventsAreRejectedAndChangeNothing() throws {
        var scenario = Scenario(seed: 5)
        _ = scenario.workOffline(runsPerMember: 1)
        let t = try TemporaryLedger()
        _ = try t.ledger.ingest(scenario.events, nowMs: now)
        let digest = try t.ledger.projectionDigest()
        let count = try t.ledger.eventCount()

        let next = scenario.add(scenario.alice, ExperimentCreate(name: "new"))
        var badSignature = next.signature
        badSignature[5] ^= 1
        let forged = try SignedEvent(bytes: next.bytes, signature: badSignature, verifySignature: false)
        var w = ChainWriter(key: SigningKey(seed: [UInt8](repeating: 9, count: 32))!)
        let outsider = w.next(ExperimentCreate(name: "x"), team: Hashing.blake2b256([7]), nowMs: now)
        var gap = ChainWriter(key: scenario.bob, seq: 40, prev: Hashing.blake2b256([1]))
        let gapped = gap.next(ExperimentCreate(name: "y"), team: scenario.team, nowMs: now)
        var futureWriter = scenario.writers[scenario.carol.publicKey]!
        let future = futureWriter.next(ExperimentCreate(name: "z"), team: scenario.team, nowMs: now + 3_600_000)

        let results = try t.ledger.ingest([forged, outsider, gapped, future], nowMs: now)
        #expect(results[forged.id] == .rejected(.badSignature))
        #expect(results[outsider.id] == .rejected(.wrongTeam(expected: scenario.team, got: Hashing.blake2b256([7]))))
        #expect(results[gapped.id].map { if case .rejected(.seqGap) = $0 { true } else { false } } == true)
        #expect(results[future.id].map { if case .rejected(.clockInFuture) = $0 { true } else { false } } == true)
        #expect(try t.ledger.projectionDigest() == digest)
        #expect(try t.ledger.eventCount() == count)
        // Sending a stored event again is a harmless duplicate.
        #expect(try t.ledger.ingest([scenario.events[3]], nowMs: now)[scenario.events[3].id] == .duplicate)
    }

    /// A pull leaves the signatures of events at or below what the ledger holds to the ledger: a stored
    /// one is a duplicate without a check, a new one at a held seq (the other side of a fork) is checked.
    @Test func framesAtHeldSeqsAreVerifiedOnlyWhenNew() throws {
        var scenario = Scenario(seed: 6)
        _ = scenario.workOffline(runsPerMember: 1)
        let t = try TemporaryLedger()
        _ = try t.ledger.ingest(scenario.events, nowMs: now)
        let count = try t.ledger.eventCount()
        let stored = scenario.events[3]
        let (seq, _) = try t.ledger.chainHead(of: scenario.alice.publicKey)
        let head = try #require(scenario.events.last { $0.envelope.author == scenario.alice.publicKey && $0.envelope.seq == seq - 1 })
        var sideWriter = ChainWriter(key: scenario.alice, seq: seq - 1, prev: head.id, clock: head.envelope.clock)
        let side = sideWriter.next(ExperimentCreate(name: "other side"), team: scenario.team, nowMs: now)
        func tampered(_ event: SignedEvent) throws -> (bytes: [UInt8], signature: [UInt8]) {
            var signature = event.signature
            signature[7] ^= 1
            return (event.bytes, signature)
        }
        let frames = [try tampered(stored), try tampered(side), (side.bytes, side.signature)]

        let held = try t.ledger.frontier()
        let decoded = SignedEvent.decodeAll(frames, held: held)
        let unchecked = decoded.compactMap { try? $0.get() }
        #expect(unchecked.count == 3)
        #expect(unchecked.allSatisfy { !$0.signatureChecked && $0.body == nil })
        // Above what is held, a bad signature fails in the decoding as before.
        let fresh = SignedEvent.decodeAll([try tampered(stored)])
        #expect(fresh.count == 1 && (try? fresh[0].get()) == nil)

        let forged = try t.ledger.ingest(decoded: [unchecked[0], unchecked[1]], nowMs: now, signaturesVerified: true)
        #expect(forged[stored.id] == .duplicate)
        #expect(forged[side.id] == .rejected(.badSignature))
        #expect(try t.ledger.eventCount() == count)
        let genuine = try t.ledger.ingest(decoded: [unchecked[2]], nowMs: now, signaturesVerified: true)
        #expect(genuine[side.id] == .fork)
        #expect(try t.ledger.eventCount() == count + 1)
    }

    /// A batch larger than a signing chunk is signed a chunk at a time while the previous one is stored:
    /// the events still come back in order, chained, each stored with its own valid signature.
    @Test func largeAppendsChainAcrossSigningChunks() throws {
        let t = try TemporaryLedger()
        let key = SigningKey(seed: [UInt8](repeating: 4, count: 32))!
        let genesis = try t.ledger.append(try .init(TeamGenesis(name: "solo")), signer: key)
        let drafts = try (0..<450).map { try Ledger.Draft(ExperimentCreate(name: "e\($0)")) }
        let events = try t.ledger.append(drafts, signer: key)
        #expect(events.map(\.envelope.seq) == Array(2...451))
        #expect(zip([genesis] + events.dropLast(), events).allSatisfy { $1.envelope.prev == $0.id })
        #expect(events.allSatisfy { $0.hasValidSignature() })
        #expect(try t.ledger.eventCount() == 451)
        #expect(try t.ledger.verify().ok)
    }

    @Test func localAppendsChainAndRejectBlankReasons() throws {
        let t = try TemporaryLedger()
        let key = SigningKey(seed: [UInt8](repeating: 3, count: 32))!
        let genesis = try t.ledger.append(try .init(TeamGenesis(name: "solo")), signer: key)
        let team = try #require(try t.ledger.team())
        #expect(team == genesis.id)
        let events = try t.ledger.append([try .init(ModelCreate(name: "m")), try .init(ExperimentCreate(name: "e"))], signer: key)
        #expect(events.map(\.envelope.seq) == [2, 3])
        #expect(events[0].envelope.prev == genesis.id)
        #expect(events[1].envelope.clock > events[0].envelope.clock)
        #expect(throws: StoreError.self) {
            try Ledger.Draft(Promote(model: EntityID.model(team: team, name: "m"), version: genesis.id, alias: "prod", reason: "   "))
        }
        #expect(try t.ledger.eventCount() == 3)
    }

    @Test func eventsTableIsAppendOnly() throws {
        let t = try TemporaryLedger()
        let key = SigningKey(seed: [UInt8](repeating: 3, count: 32))!
        try t.ledger.append(try .init(TeamGenesis(name: "solo")), signer: key)
        #expect(throws: DatabaseError.self) { try t.ledger.queue.write { try $0.execute(sql: "UPDATE events SET kind = 'x'") } }
        #expect(throws: DatabaseError.self) { try t.ledger.queue.write { try $0.execute(sql: "DELETE FROM events") } }
        #expect(try t.ledger.eventCount() == 1)
    }

    @Test func verifyNamesTheAlteredRowAndTheAlteredView() throws {
        var scenario = Scenario(seed: 6)
        _ = scenario.workOffline(runsPerMember: 1)
        let t = try TemporaryLedger()
        _ = try t.ledger.ingest(scenario.events, nowMs: now)
        #expect(try t.ledger.verify().ok)
        try t.ledger.queue.write { db in
            try db.execute(sql: "DROP TRIGGER events_append_only_update")
            try db.execute(sql: "UPDATE params SET value = 'forged' WHERE rowid = 1")
        }
        let viewsAltered = try t.ledger.verify()
        #expect(!viewsAltered.ok)
        #expect(viewsAltered.problems.isEmpty)
        #expect(viewsAltered.projectionMismatches == ["params"])
        try t.ledger.queue.write { db in
            try db.execute(sql: "UPDATE events SET bytes = substr(bytes, 1, 200) || x'ff' || substr(bytes, 202) WHERE rowid = 7")
        }
        let report = try t.ledger.verify()
        #expect(!report.ok)
        #expect(report.problems.map(\.row) == [7])
    }
}
