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

        /// Bob syncs through a relay telling `lie`, in pages of `page` events.
        func bobSyncs(_ lie: LyingRelay.Lie, page: Int = 10_000) async throws -> Syncer.Summary {
            let ledger = try Ledger(path: bob.database)
            let liar = try LyingRelay(
                relay: relayURL, data: fixture.relay.data, team: team, lie: lie, held: try #require(try ledger.remoteLog("origin")?.frontier).size)
            var syncer = Syncer(
                ledger: ledger, remote: try #require(try ledger.remotes().first), client: liar.client(key: bobKey, url: relayURL), blobs: nil)
            syncer.pullPage = page
            return try await syncer.run()
        }

        /// Bob's sync through the lie fails with one of `codes`, and the evidence names it.
        func caught(_ lie: LyingRelay.Lie, page: Int = 10_000, as codes: Set<String>) async throws {
            do {
                _ = try await bobSyncs(lie, page: page)
                Issue.record("the lie \(lie) went unnoticed")
            } catch SyncError.relayMisbehaved(let code, let message) {
                #expect(codes.contains(code), "\(lie): \(code): \(message)")
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
        #expect(try scene.bob.eventCount() < scene.fixture.admin.eventCount(), "one of Alice's events is withheld from Bob")
        #expect(try Ledger(path: scene.bob.database).logEvidence().isEmpty, "alone, a consistent split view cannot be told")
        try await scene.caught(.none, as: ["events_withheld", "inconsistent_checkpoint", "pulled_events_mismatch"])
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

    @Test func anHonestRelayRaisesNoAlarm() async throws {
        let scene = try Scene()
        for round in 1...3 {
            try scene.aliceWrites(round * 2)
            _ = try await scene.bobSyncs(.none, page: 3)
            try scene.bob.ok("sync")
        }
        #expect(try Ledger(path: scene.bob.database).logEvidence().isEmpty)
        #expect(try scene.bob.ok("audit", "--relay").contains("No evidence of misbehaviour."))
        #expect(try scene.fixture.digest(scene.bob) == scene.fixture.digest(scene.fixture.admin))
    }
}
