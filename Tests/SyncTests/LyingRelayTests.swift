import Foundation
import LedgerProtocol
import LedgerStore
import LedgerTestSupport
import Testing

@testable import LedgerSync

/// A lying relay (LyingRelay, between Bob and a real relay) is caught by Bob's transparency checks within
/// one sync, with the evidence stored and named; an honest one never raises an alarm.
@Suite struct LyingRelayTests {
    /// Alice's team on a real relay, Bob joined (through the CLI, checks on), and Alice's new events.
    struct Scene {
        let fixture: TeamFixture
        let bob: CLI
        let bobKey: SigningKey
        let team: LedgerID
        let relayURL: URL

        init() throws {
            fixture = try TeamFixture()
            bob = try fixture.join("Bob", role: "writer")
            bobKey = try TeamFixture.signingKey(of: bob)
            team = try #require(LedgerID(hex: fixture.team))
            relayURL = try #require(URL(string: fixture.relay.url))
        }

        /// Alice writes `count` events and pushes them.
        func aliceWrites(_ count: Int) throws {
            let run = try fixture.admin.initRunInExistingWorkspace()
            for i in 1..<max(count, 1) { try fixture.admin.ok("run", "log-param", run, "p\(i)=\(i)") }
            try fixture.admin.ok("sync")
        }

        /// A relay telling `lie` to Bob, its own history continuing what Bob holds.
        func liar(_ lie: LyingRelay.Lie) throws -> LyingRelay {
            let held = try #require(try Ledger(path: bob.database).remoteLog("origin")?.frontier).size
            return try LyingRelay(relay: relayURL, data: fixture.relay.data, team: team, lie: lie, held: held)
        }

        /// Bob syncs through a relay telling `lie`, in pages of `page` events.
        func bobSyncs(_ lie: LyingRelay.Lie, page: Int = 10_000) async throws -> Syncer.Summary {
            try await bobSyncs(through: try liar(lie), page: page)
        }

        func bobSyncs(through liar: LyingRelay, page: Int = 10_000) async throws -> Syncer.Summary {
            let ledger = try Ledger(path: bob.database)
            var syncer = Syncer(
                ledger: ledger, remote: try #require(try ledger.remotes().first { $0.name == "origin" }),
                client: liar.client(key: bobKey, url: relayURL), blobs: nil)
            syncer.pullPage = page
            // Bob mostly receives here; he witnesses at every sync all the same.
            syncer.witnessInterval = 0
            return try await syncer.run()
        }

        /// How far Alice's chain reaches in `cli`'s ledger.
        func alicesSeq(in cli: CLI) throws -> UInt64? {
            let alice = try #require(PublicKey(hex: try TeamFixture.publicKey(of: fixture.admin)))
            return try Ledger(path: cli.database).frontier()[alice]
        }

        /// Bob's sync through the lie fails with one of `codes`, and the evidence names it.
        func caught(_ lie: LyingRelay.Lie, page: Int = 10_000, as codes: Set<String>) async throws {
            try await caught(through: try liar(lie), page: page, as: codes)
        }

        func caught(through liar: LyingRelay, page: Int = 10_000, as codes: Set<String>) async throws {
            do {
                _ = try await bobSyncs(through: liar, page: page)
                Issue.record("the lie went unnoticed")
            } catch SyncError.relayMisbehaved(let code, let message) {
                #expect(codes.contains(code), "\(code): \(message)")
            }
            let evidence = try Ledger(path: bob.database).logEvidence()
            #expect(evidence.count == 1 && codes.contains(evidence.first?.code ?? ""), "evidence: \(evidence)")
            #expect(evidence.first?.served != nil || evidence.first?.proof.isEmpty == false, "the evidence holds what the relay served")
            let audit = try #require(try bob.json("audit", "--relay") as? [String: Any])
            let shown = try #require(audit["evidence"] as? [[String: Any]])
            #expect(shown.count == 1 && codes.contains(shown.first?["code"] as? String ?? ""), "mledger audit --relay names the evidence")
        }
    }

    @Test func droppedEventIsCaught() async throws {
        let scene = try Scene()
        try scene.aliceWrites(6)
        // The event after the dropped one stops the pull (its predecessor is missing); what was served
        // up to there is not a prefix of the signed log.
        try await scene.caught(.dropEvent(0), page: 2, as: ["page_out_of_order", "pulled_events_mismatch"])
    }

    @Test func droppedLastEventIsCaught() async throws {
        let scene = try Scene()
        try scene.aliceWrites(3)
        try await scene.caught(.dropEvent(2), as: ["pulled_events_mismatch"])
    }

    @Test func reorderedEventsAreCaught() async throws {
        let scene = try Scene()
        try scene.aliceWrites(4)
        try await scene.caught(.swapEvents, as: ["pulled_events_mismatch"])
    }

    /// Two pages served in each other's place, each with headers that continue what Bob holds.
    @Test func reorderedPagesAreCaught() async throws {
        let scene = try Scene()
        try scene.aliceWrites(6)
        try await scene.caught(.swapPages, page: 2, as: ["pulled_events_mismatch"])
    }

    @Test func rollbackIsCaught() async throws {
        let scene = try Scene()
        let older = try #require(try Ledger(path: scene.bob.database).remoteLog("origin")?.checkpoint)
        try scene.aliceWrites(3)
        _ = try await scene.bobSyncs(.none)
        try await scene.caught(.rollback(to: older), as: ["log_rolled_back"])
    }

    @Test func checkpointOverOtherPagesIsCaught() async throws {
        let scene = try Scene()
        try scene.aliceWrites(3)
        try await scene.caught(.wrongRoot, as: ["inconsistent_checkpoint", "pulled_events_mismatch"])
    }

    /// A split view is consistent on its own; Bob's next sync with the real history contradicts it.
    @Test func splitViewIsCaughtWhenTheOtherHistoryArrives() async throws {
        let scene = try Scene()
        try scene.aliceWrites(4)
        let summary = try await scene.bobSyncs(.splitView)
        #expect(summary.rejectedFromRelay.isEmpty && summary.pulled > 0)
        #expect(try scene.alicesSeq(in: scene.bob) ?? 0 < scene.alicesSeq(in: scene.fixture.admin) ?? 0, "Alice's last events are withheld from Bob")
        #expect(try Ledger(path: scene.bob.database).logEvidence().isEmpty, "alone, a consistent split view cannot be told")
        try await scene.caught(.none, as: ["events_withheld", "inconsistent_checkpoint", "pulled_events_mismatch", "page_out_of_order"])
    }

    /// The same relay later: Bob's cosignature of his side of a split view reaches Alice through the relay
    /// itself, and her next sync proves the split with the relay's own consistency proof.
    @Test func splitViewIsCaughtByTheOtherMemberFromACosignature() async throws {
        let scene = try Scene()
        try scene.aliceWrites(4)
        let liar = try scene.liar(.splitView)
        #expect(try await scene.bobSyncs(through: liar).cosigned != nil, "Bob witnesses what he was shown")
        // Bob's own next event makes his side of the log diverge from Alice's; he witnesses it too.
        _ = try scene.bob.ok("run", "start", "--experiment", "mnist")
        #expect(try await scene.bobSyncs(through: liar).cosigned != nil)
        #expect(try Ledger(path: scene.bob.database).logEvidence().isEmpty)

        let synced = try scene.fixture.admin.run("sync")
        #expect(!synced.ok && synced.stderr.contains("split_view"), "\(synced.stderr)")
        let evidence = try Ledger(path: scene.fixture.admin.database).logEvidence()
        #expect(evidence.map(\.code) == ["split_view"] && evidence.first?.message.contains("Bob") == true, "\(evidence)")
        #expect(evidence.first?.served?.contains("— mledger.log/") == true, "Bob's cosigned checkpoint is kept as evidence")
        let relays = try #require((try scene.fixture.admin.json("audit", "--relay") as? [String: Any])?["relays"] as? [[String: Any]])
        let witnesses = try #require(relays.first?["witnesses"] as? [[String: Any]])
        #expect(witnesses.contains { ($0["member"] as? [String: Any])?["name"] as? String == "Bob" && $0["consistent"] as? Bool == false })
    }

    /// A second relay: the liar withholds Alice's cosignature from Bob, but Alice syncs with a second
    /// relay too, and Bob receives it there; his next sync with the liar proves the split.
    @Test func splitViewIsCaughtThroughASecondRelay() async throws {
        let scene = try Scene()
        try scene.aliceWrites(4)
        let liar = try scene.liar(.splitView)
        _ = try await scene.bobSyncs(through: liar)

        let second = try RelayProcess(team: scene.fixture.team)
        for cli in [scene.fixture.admin, scene.bob] {
            try cli.ok("remote", "add", "second", second.url)
            try cli.ok("sync", "second")
        }
        #expect(try scene.alicesSeq(in: scene.bob) == scene.alicesSeq(in: scene.fixture.admin), "the second relay withholds nothing")
        try await scene.caught(through: liar, as: ["split_view", "log_rolled_back"])
        #expect(try Ledger(path: scene.bob.database).logEvidence().first?.message.contains("Alice") == true)
    }

    /// Bob's own events come back with their log positions as receipts; `mledger verify --relay` proves
    /// them later, and a relay whose proofs no longer back them is caught.
    @Test func receiptsOfOwnEventsAreProvedLater() async throws {
        let scene = try Scene()
        _ = try scene.bob.ok("run", "start", "--experiment", "mnist")
        try scene.bob.ok("sync")
        try scene.aliceWrites(2)
        let verified = try #require(try scene.bob.json("verify", "--relay") as? [String: Any])
        #expect((verified["receipts"] as? Int ?? 0) >= 2, "Bob's profile and run start: \(verified)")
        let ledger = try Ledger(path: scene.bob.database)
        let liar = try LyingRelay(relay: scene.relayURL, data: scene.fixture.relay.data, team: scene.team, lie: .badInclusion, held: 0)
        let syncer = Syncer(
            ledger: ledger, remote: try #require(try ledger.remotes().first), client: liar.client(key: scene.bobKey, url: scene.relayURL), blobs: nil)
        await #expect(throws: SyncError.self) { _ = try await syncer.verifyReceipts() }
        #expect(try ledger.logEvidence().map(\.code) == ["receipt_failed"])
    }

    /// A cosignature pushed right after the checkpoint it cosigns sits at that size in the log: Bob holds
    /// it to his checkpoint with the leaves he pulled, and asks the relay for no proof beyond his own.
    @Test func aCosignatureAtItsOwnSizeNeedsNoProof() async throws {
        let scene = try Scene()
        try scene.aliceWrites(3)
        let liar = try scene.liar(.none)
        _ = try await scene.bobSyncs(through: liar)
        #expect(liar.consistencyProofsAsked.withLock { $0 } == 1, "one proof: from Bob's last checkpoint to the new one")
        let relays = try #require((try scene.bob.json("audit", "--relay") as? [String: Any])?["relays"] as? [[String: Any]])
        let alice = (relays.first?["witnesses"] as? [[String: Any]])?.first { ($0["member"] as? [String: Any])?["name"] as? String == "Alice" }
        #expect(alice?["consistent"] as? Bool == true, "\(relays)")
    }

    @Test func anHonestRelayRaisesNoAlarm() async throws {
        let scene = try Scene()
        for round in 1...3 {
            try scene.aliceWrites(round * 2)
            _ = try await scene.bobSyncs(.none, page: 3)
            try scene.bob.ok("sync")
        }
        // Alice receives Bob's last cosignatures; a second pass moves nothing but cosignatures, so no
        // one cosigns again: syncs settle.
        try scene.fixture.admin.ok("sync")
        let settled = try scene.fixture.admin.eventCount()
        try scene.bob.ok("sync")
        try scene.fixture.admin.ok("sync")
        #expect(try scene.fixture.admin.eventCount() == settled && scene.bob.eventCount() == settled)
        for cli in [scene.bob, scene.fixture.admin] {
            #expect(try Ledger(path: cli.database).logEvidence().isEmpty)
            #expect(try cli.ok("audit", "--relay").contains("No evidence of misbehaviour."))
        }
        #expect(try scene.fixture.digest(scene.bob) == scene.fixture.digest(scene.fixture.admin))
        // Each witnessed the other, and found it consistent.
        let relays = try #require((try scene.fixture.admin.json("audit", "--relay") as? [String: Any])?["relays"] as? [[String: Any]])
        let witnesses = try #require(relays.first?["witnesses"] as? [[String: Any]])
        #expect(witnesses.count == 2 && witnesses.allSatisfy { $0["consistent"] as? Bool == true }, "\(witnesses)")
    }
}
