import Foundation
import LedgerProtocol
import LedgerStore
import LedgerSync
import LedgerTestSupport
import Testing

/// Promotion requests and N-of-M approvals (SPEC 6.15) through a real relay and real CLIs.
@Suite struct ApprovalSyncTests {
    struct Team {
        let fixture: TeamFixture
        let alice: CLI, bob: CLI, carol: CLI, dave: CLI
        var everyone: [CLI] { [alice, bob, carol, dave] }

        /// Alice (admin) protects production: two maintainers' approvals, not the requester's. Bob and Carol
        /// are maintainers, Dave a writer; the model has two versions and everyone has synced.
        init() throws {
            fixture = try TeamFixture()
            alice = fixture.admin
            try alice.ok("team", "protect", "production", "--role", "maintainer", "--approvals", "2", "--not-requester")
            bob = try fixture.join("Bob", role: "maintainer")
            carol = try fixture.join("Carol", role: "maintainer")
            dave = try fixture.join("Dave", role: "writer")
            try alice.ok("model", "create", "digits")
            let run = try alice.initRunInExistingWorkspace()
            try alice.ok("model", "version", "create", "digits", "--run", run)
            try alice.ok("model", "version", "create", "digits", "--run", run)
            try alice.ok("sync")
            for member in everyone { try member.ok("sync") }
        }

        func request(_ cli: CLI, _ version: String) throws -> String {
            let out = try cli.ok("model", "request", "digits", version, "--to", "production", "--reason", "better on holdout")
            return try #require(out.split(separator: " ").dropFirst().first.map { String($0.dropLast()) })
        }

        /// Every ledger and the relay hold the same view; returns the request as each member sees it.
        func converged(_ request: String) throws -> [String: Any] {
            let digests = try everyone.map(fixture.digest)
            #expect(Set(digests).count == 1, "client views differ: \(digests)")
            #expect(try fixture.relayDigest() == digests[0])
            let seen = try everyone.map { member in
                try #require(
                    (try member.json("model", "requests", "digits") as? [[String: Any]])?.first { ($0["id"] as? String)?.hasPrefix(request) == true })
            }
            let states = Set(seen.compactMap { $0["state"] as? String })
            #expect(states.count == 1, "request states differ: \(states)")
            return seen[0]
        }

        /// Signs an approval with the member's key into their ledger, as another client could.
        func sign(_ cli: CLI, approving request: String, reason: String) throws {
            let ledger = try Ledger(path: cli.database)
            let id = try #require(LedgerID(hex: try ledger.request(request).id))
            try ledger.append(
                try .init(PromotionDecision(request: id, verdict: .approve, reason: reason)), signer: try TeamFixture.signingKey(of: cli))
        }

        func production(_ cli: CLI) throws -> [String: Any]? {
            let model = try #require(try cli.json("model", "show", "digits") as? [String: Any])
            return (model["aliases"] as? [[String: Any]])?.first { $0["alias"] as? String == "production" }
        }
    }

    /// Approvals made offline and synced in different orders reach the same outcome everywhere: a writer's and
    /// the requester's own approvals do not count, the second maintainer's completes the quorum and moves the alias.
    @Test func offlineApprovalsSyncedInAnyOrderMoveTheAliasEverywhere() throws {
        let t = try Team()
        let direct = try t.bob.run("model", "promote", "digits", "1", "--to", "production", "--reason", "just ship it")
        #expect(!direct.ok && direct.stderr.contains("approval"), "a direct promotion must be refused: \(direct.stderr)")

        let first = try t.request(t.bob, "1")
        for member in [t.bob, t.alice, t.carol, t.dave] { try member.ok("sync") }
        // Offline: the requester and a writer approve (signed past the CLI, which refuses what cannot count),
        // and a maintainer.
        let own = try t.bob.run("model", "approve", first, "--reason", "my own request")
        #expect(!own.ok && own.stderr.contains("your own request"))
        let writers = try t.dave.run("model", "approve", first, "--reason", "looks good to me")
        #expect(!writers.ok && writers.stderr.contains("needs a maintainer"))
        try t.sign(t.bob, approving: first, reason: "my own request")
        try t.sign(t.dave, approving: first, reason: "looks good to me")
        try t.carol.ok("model", "approve", first, "--reason", "checked the eval report")
        for member in [t.dave, t.carol, t.bob, t.alice, t.dave, t.carol, t.bob] { try member.ok("sync") }
        var seen = try t.converged(first)
        #expect(seen["state"] as? String == "open")
        #expect(seen["approvals"] as? Int == 1)
        #expect(try t.production(t.dave) == nil)

        try t.alice.ok("model", "approve", first, "--reason", "second pair of eyes")
        for member in [t.alice, t.dave, t.carol, t.bob] { try member.ok("sync") }
        seen = try t.converged(first)
        #expect(seen["state"] as? String == "approved")
        #expect(seen["approvals"] as? Int == 2)
        for member in t.everyone {
            let production = try #require(try t.production(member))
            #expect(production["versionNumber"] as? Int == 1)
            #expect((production["request"] as? String)?.hasPrefix(first) == true)
            let model = try #require(try member.json("model", "show", "digits") as? [String: Any])
            let shown = try #require((model["requests"] as? [[String: Any]])?.first)
            #expect(shown["state"] as? String == "approved" && shown["decidedAt"] is Int)
            let decisions = try #require(shown["decisions"] as? [[String: Any]])
            #expect(Set(decisions.compactMap { $0["reason"] as? String }).isSuperset(of: ["checked the eval report", "second pair of eyes"]))
        }
        #expect(try t.carol.ok("model", "show", "digits").contains("quorum reached"))

        // A second request: a maintainer's rejection, made offline, blocks it on every ledger whatever the sync order.
        let second = try t.request(t.dave, "2")
        for member in [t.dave, t.carol, t.bob, t.alice] { try member.ok("sync") }
        try t.bob.ok("model", "approve", second, "--reason", "fine by me")
        try t.carol.ok("model", "reject", second, "--reason", "latency doubled")
        for member in [t.carol, t.alice, t.bob, t.dave, t.carol, t.alice] { try member.ok("sync") }
        seen = try t.converged(second)
        #expect(seen["state"] as? String == "rejected")
        let late = try t.alice.run("model", "approve", second, "--reason", "too late")
        #expect(!late.ok && late.stderr.contains("rejected"))
        for member in t.everyone { #expect(try t.production(member)?["versionNumber"] as? Int == 1) }
        let listed = try t.dave.ok("model", "requests", "digits")
        #expect(listed.contains("latency doubled") && listed.contains("does not count"))
        #expect(try t.dave.ok("model", "requests", "--open").contains("No open requests"))
    }
}

extension ApprovalSyncTests {
    /// Carol approves from her laptop and from her member key while offline: one member, one approval. Bob,
    /// removed meanwhile, approves offline too: the relay refuses him and the request stays open everywhere.
    @Test func twoDevicesCountOnceAndARemovedMembersApprovalNowhere() throws {
        let t = try Team()
        let laptop = try CLI()
        try laptop.ok("identity", "create", "--name", "Carol (laptop)")
        try t.carol.link(laptop, label: "laptop")
        try t.carol.ok("sync")
        try laptop.ok("init", "--join", t.fixture.relay.url)
        let request = try t.request(t.dave, "1")
        for member in [t.dave] + t.everyone + [laptop] { try member.ok("sync") }

        try laptop.ok("model", "approve", request, "--reason", "from the train")
        try t.carol.ok("model", "approve", request, "--reason", "from the office")
        try t.alice.ok("team", "remove", try TeamFixture.publicKey(of: t.bob), "--reason", "left the team")
        try t.alice.ok("sync")
        try t.bob.ok("model", "approve", request, "--reason", "one last approval")
        #expect(try !t.bob.run("sync").ok, "a removed member's push is refused")
        for member in [laptop, t.alice, t.carol, t.dave, laptop, t.alice, t.carol] { try member.ok("sync") }

        let ledgers = [t.alice, t.carol, t.dave, laptop]
        let digests = try ledgers.map(t.fixture.digest)
        #expect(Set(digests).count == 1, "client views differ: \(digests)")
        for member in ledgers {
            let seen = try #require((try member.json("model", "requests", "digits") as? [[String: Any]])?.first)
            #expect(seen["state"] as? String == "open" && seen["approvals"] as? Int == 1)
            let decisions = try #require(seen["decisions"] as? [[String: Any]])
            #expect(decisions.count == 2 && decisions.filter { $0["counted"] as? Bool == true }.count == 1)
            #expect(try t.production(member) == nil)
        }
    }
}

extension RejectionTests {
    /// The relay refuses a direct promotion of an alias that needs approvals, and forged approvals, each with
    /// its precise code; a replayed approval is a duplicate and counts once.
    @Test func directPromotionsAndForgedApprovalsAreRefused() async throws {
        let t = try ApprovalSyncTests.Team()
        let relay = t.fixture.relay
        let bobKey = try TeamFixture.signingKey(of: t.bob)
        let carolKey = try TeamFixture.signingKey(of: t.carol)
        let team = try #require(LedgerID(hex: try TeamFixture.team(of: t.alice)))
        let request = try t.request(t.dave, "1")
        try t.dave.ok("sync")
        try t.bob.ok("sync")
        let bobLedger = try Ledger(path: t.bob.database)
        let requestID = try #require(LedgerID(hex: try bobLedger.request(request).id))
        let modelID = try bobLedger.modelID(named: "digits")
        let version = try bobLedger.versionID(model: modelID, "1")
        let (seq, prev) = try bobLedger.chainHead(of: bobKey.publicKey)
        var bob = ChainWriter(key: bobKey, seq: seq, prev: prev, clock: wallClockMs() << 16)

        let promote = bob.next(
            Promote(model: modelID, version: version, alias: "production", reason: "skip the queue"), team: team, nowMs: wallClockMs())
        #expect(firstResult(try await push(relay, [promote], as: bobKey)) == ("rejected", "approval_required"))

        var forger = ChainWriter(key: bobKey, seq: seq, prev: prev, clock: wallClockMs() << 16)
        let approval = forger.next(PromotionDecision(request: requestID, verdict: .approve, reason: "ok"), team: team, nowMs: wallClockMs())
        // Carol's key over Bob's approval: the signature does not match the author.
        let wrongKey = try SignedEvent(bytes: approval.bytes, signature: carolKey.sign(approval.bytes), verifySignature: false)
        #expect(firstResult(try await push(relay, [wrongKey], as: bobKey)) == ("rejected", "bad_signature"))
        var elsewhere = ChainWriter(key: bobKey, seq: seq, prev: prev, clock: wallClockMs() << 16)
        let otherTeam = elsewhere.next(
            PromotionDecision(request: requestID, verdict: .approve, reason: "ok"), team: Hashing.blake2b256([7]), nowMs: wallClockMs())
        #expect(firstResult(try await push(relay, [otherTeam], as: bobKey)) == ("rejected", "wrong_team"))
        let stranger = try #require(SigningKey(seed: [UInt8](repeating: 9, count: 32)))
        var strangerWriter = ChainWriter(key: stranger, clock: wallClockMs() << 16)
        let strangers = strangerWriter.next(PromotionDecision(request: requestID, verdict: .approve, reason: "ok"), team: team, nowMs: wallClockMs())
        #expect(firstResult(try await push(relay, [strangers], as: bobKey)).code == "forbidden")

        #expect(firstResult(try await push(relay, [approval], as: bobKey)).status == "accepted")
        #expect(firstResult(try await push(relay, [approval], as: bobKey)).status == "duplicate")
        try t.alice.ok("sync")
        let seen = try #require(try t.alice.json("model", "requests", "digits") as? [[String: Any]])
        #expect(seen.first?["approvals"] as? Int == 1)
        #expect((seen.first?["decisions"] as? [Any])?.count == 1)
    }
}
