import Foundation
import LedgerProtocol
import LedgerStore
import LedgerSync
import LedgerTestSupport
import Testing

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Every hostile request is refused with the right status and reason, and the relay's store is unchanged.
@Suite struct RejectionTests {
    struct Answer {
        var status: Int
        var json: [String: Any]
    }

    /// Sends a request exactly as given, so tests can forge, replay or omit the signature.
    func send(_ relay: RelayProcess, _ method: String, _ target: String, body: [UInt8] = [], headers: [(String, String)]) async throws -> Answer {
        var request = URLRequest(url: try #require(URL(string: relay.url + target)))
        request.httpMethod = method
        for (k, v) in headers { request.setValue(v, forHTTPHeaderField: k) }
        if !body.isEmpty { request.httpBody = Data(body) }
        let (data, response) = try await URLSession.shared.data(for: request)
        let status = (response as? HTTPURLResponse)?.statusCode ?? 0
        return Answer(status: status, json: ((try? JSONSerialization.jsonObject(with: data)) as? [String: Any]) ?? [:])
    }

    func signed(_ method: String, _ target: String, _ body: [UInt8], _ key: SigningKey, _ relay: RelayProcess) throws -> [(String, String)] {
        try Signed.headers(method, target, body: body, key: key, relay: relay)
    }

    func push(_ relay: RelayProcess, _ events: [SignedEvent], as key: SigningKey) async throws -> Answer {
        let body = EventFrames.encode(events)
        return try await send(relay, "POST", "/v1/events", body: body, headers: try signed("POST", "/v1/events", body, key, relay))
    }

    /// The status of the single pushed event: its letter, and the code when it was not accepted.
    func firstResult(_ answer: Answer) -> (status: String?, code: String?) {
        let letter = (answer.json["statuses"] as? String)?.first
        let problem = (answer.json["problems"] as? [[String: Any]])?.first
        let status = ["a": "accepted", "d": "duplicate", "f": "fork", "r": "rejected"][letter.map(String.init) ?? ""]
        return (status, problem?["code"] as? String)
    }

    @Test func hostileRequestsAreRefusedAndChangeNothing() async throws {
        let fixture = try TeamFixture(relayArguments: ["--max-body", "1000000"])
        let alice = fixture.admin
        try alice.ok("team", "protect", "production", "--role", "maintainer")
        try alice.ok("model", "create", "digits")
        let run = try alice.initRunInExistingWorkspace()
        try alice.ok("model", "version", "create", "digits", "--run", run)
        try alice.ok("sync")
        let bob = try fixture.join("Bob", role: "writer")
        let aliceKey = try TeamFixture.signingKey(of: alice)
        let bobKey = try TeamFixture.signingKey(of: bob)
        let count = try fixture.relayEventCount()
        let digest = try fixture.relayDigest()
        let relay = fixture.relay

        // No signature at all.
        #expect(try await send(relay, "GET", "/v1/frontier", headers: []).status == 401)

        // A time at the very end of the clock's range (it must not overflow, nor crash the relay).
        var farFuture = try signed("GET", "/v1/frontier", [], aliceKey, relay).filter { $0.0 != RequestSignature.Header.time }
        farFuture.append((RequestSignature.Header.time, String(UInt64.max)))
        #expect(try await send(relay, "GET", "/v1/frontier", headers: farFuture).status == 401)

        // A request signature that does not match (signed for another target).
        let wrongTarget = try await send(relay, "GET", "/v1/frontier", headers: try signed("GET", "/v1/events", [], aliceKey, relay))
        #expect(wrongTarget.status == 401)

        // A key that is not a member, with a good signature: the very same answer, so nobody learns who is a member.
        let stranger = SigningKey.generate()
        let strangerAnswer = try await send(relay, "GET", "/v1/frontier", headers: try signed("GET", "/v1/frontier", [], stranger, relay))
        #expect(strangerAnswer.status == 401)
        #expect(strangerAnswer.json["error"] as? String == wrongTarget.json["error"] as? String)
        #expect(strangerAnswer.json["message"] as? String == wrongTarget.json["message"] as? String)

        // A member's push whose body is not the one signed: refused once the body arrives, nothing stored.
        let signedFor = EventFrames.encode([SignedEvent]())
        var swapped = try signed("POST", "/v1/events", signedFor, aliceKey, relay)
        swapped.append(("Content-Type", EventFrames.contentType))
        let swappedAnswer = try await send(relay, "POST", "/v1/events", body: [0, 0, 0, 0], headers: swapped)
        #expect(swappedAnswer.status == 401)
        #expect((swappedAnswer.json["message"] as? String)?.contains("X-Mledger-Body-SHA256") == true)

        // A replayed request: the first is fine, the identical second one is refused.
        let signedAt = wallClockMs()
        let headers = try signed("GET", "/v1/frontier", [], aliceKey, relay)
        #expect(try await send(relay, "GET", "/v1/frontier", headers: headers).status == 200)
        let replay = try await send(relay, "GET", "/v1/frontier", headers: headers)
        #expect(replay.status == 401)
        #expect(Replay.refused(replay.json["message"] as? String, signedAtMs: signedAt, replay: "replayed", tooOld: "more than 5 minutes"))

        // Events built on Alice's real chain.
        let local = try Ledger(path: alice.database)
        let (seq, prev) = try local.chainHead(of: aliceKey.publicKey)
        let team = try #require(LedgerID(hex: fixture.team))
        var writer = ChainWriter(key: aliceKey, seq: seq, prev: prev, clock: wallClockMs() << 16)
        let good = writer.next(ExperimentCreate(name: "forged?"), team: team, nowMs: wallClockMs())

        // A forged event signature.
        var badSignature = good.signature
        badSignature[10] ^= 0x20
        let forged = try SignedEvent(bytes: good.bytes, signature: badSignature, verifySignature: false)
        let forgedAnswer = try await push(relay, [forged], as: aliceKey)
        #expect(forgedAnswer.status == 200)
        #expect(firstResult(forgedAnswer) == ("rejected", "bad_signature"))

        // A broken chain: seq far beyond the relay's frontier.
        var gapWriter = ChainWriter(key: aliceKey, seq: seq + 50, prev: prev, clock: wallClockMs() << 16)
        let gapped = gapWriter.next(ExperimentCreate(name: "gap"), team: team, nowMs: wallClockMs())
        #expect(firstResult(try await push(relay, [gapped], as: aliceKey)) == ("rejected", "seq_gap"))

        // An event for another team.
        var otherWriter = ChainWriter(key: aliceKey, seq: seq, prev: prev, clock: wallClockMs() << 16)
        let otherTeam = otherWriter.next(ExperimentCreate(name: "elsewhere"), team: Hashing.blake2b256([1, 2, 3]), nowMs: wallClockMs())
        #expect(firstResult(try await push(relay, [otherTeam], as: aliceKey)) == ("rejected", "wrong_team"))

        // A writer moving a protected alias.
        let bobLocal = try Ledger(path: bob.database)
        let (bobSeq, bobPrev) = try bobLocal.chainHead(of: bobKey.publicKey)
        var bobWriter = ChainWriter(key: bobKey, seq: bobSeq, prev: bobPrev, clock: wallClockMs() << 16)
        let modelJSON = try #require(try alice.json("model", "show", "digits") as? [String: Any])
        let model = try #require((modelJSON["id"] as? String).flatMap(LedgerID.init(hex:)))
        let version = try local.versionID(model: model, "1")
        let promote = bobWriter.next(Promote(model: model, version: version, alias: "production", reason: "sneaky"), team: team, nowMs: wallClockMs())
        #expect(firstResult(try await push(relay, [promote], as: bobKey)) == ("rejected", "forbidden"))

        // A member claiming another member's key as their own device.
        var linkWriter = ChainWriter(key: bobKey, seq: bobSeq, prev: bobPrev, clock: wallClockMs() << 16)
        let takeover = linkWriter.next(DeviceLink(device: aliceKey.publicKey), team: team, nowMs: wallClockMs())
        #expect(firstResult(try await push(relay, [takeover], as: bobKey)) == ("rejected", "forbidden"))

        // A member linking a key they only learned (a future member's, say): without the device's consent,
        // or with its consent to another member, the link is refused.
        let outsider = SigningKey.generate()
        for link in [
            DeviceLink(device: outsider.publicKey), DeviceLink(linking: outsider, to: aliceKey.publicKey, team: team),
            DeviceLink(linking: outsider, to: bobKey.publicKey, team: LedgerID.zero),
        ] {
            var writer = ChainWriter(key: bobKey, seq: bobSeq, prev: bobPrev, clock: wallClockMs() << 16)
            let unconsented = writer.next(link, team: team, nowMs: wallClockMs())
            let (status, code) = firstResult(try await push(relay, [unconsented], as: bobKey))
            #expect(status == "rejected" && code == "forbidden", "\(link)")
        }

        // An oversized body.
        let huge = [UInt8](repeating: 0, count: 1_100_000)
        let oversized = try await send(relay, "POST", "/v1/events", body: huge, headers: try signed("POST", "/v1/events", huge, aliceKey, relay))
        #expect(oversized.status == 413)

        // Malformed framing.
        let garbage: [UInt8] = [0, 0, 0, 9, 1, 2, 3]
        let malformed = try await send(
            relay, "POST", "/v1/events", body: garbage, headers: try signed("POST", "/v1/events", garbage, aliceKey, relay))
        #expect(malformed.status == 400)

        #expect(try fixture.relayEventCount() == count)
        #expect(try fixture.relayDigest() == digest)

        // The relay kept serving: the valid original event still goes through.
        #expect(try local.ingest([good])[good.id] == .accepted)
        #expect(firstResult(try await push(relay, [good], as: aliceKey)).status == "accepted")
        // Pushing the same batch again stores nothing new.
        let stored = try fixture.relayEventCount()
        #expect(firstResult(try await push(relay, [good], as: aliceKey)).status == "duplicate")
        #expect(try fixture.relayEventCount() == stored)

        // A removed member is refused from then on, as any stranger.
        try alice.ok("team", "remove", TeamFixture.publicKey(of: bob), "--reason", "left the team")
        try alice.ok("sync")
        let afterRemoval = try await send(relay, "GET", "/v1/frontier", headers: try signed("GET", "/v1/frontier", [], bobKey, relay))
        #expect(afterRemoval.status == 401)
        #expect(afterRemoval.json["message"] as? String == wrongTarget.json["message"] as? String)
        let bobSync = try bob.run("sync")
        #expect(!bobSync.ok)
        #expect(bobSync.stderr.contains("401"))
    }
}

extension RejectionTests {
    /// The relay refuses what names a run it never saw (`unknown_run`, SPEC 8.1), and takes it once the
    /// run's start has arrived, later or earlier in the same push.
    @Test func eventsOfAnUnknownRunWaitForItsStart() async throws {
        let fixture = try TeamFixture()
        let alice = fixture.admin
        try alice.ok("experiment", "create", "mnist")
        try alice.ok("sync")
        let bob = try fixture.join("Bob", role: "writer")
        let (aliceKey, bobKey) = (try TeamFixture.signingKey(of: alice), try TeamFixture.signingKey(of: bob))
        let team = try #require(LedgerID(hex: fixture.team))
        let experiment = try Ledger(path: alice.database).experimentID(named: "mnist")
        let aliceHead = try Ledger(path: alice.database).chainHead(of: aliceKey.publicKey)
        let bobHead = try Ledger(path: bob.database).chainHead(of: bobKey.publicKey)
        // Bob's clock comes first: in one push his params are tried before Alice's start, then again after.
        let now = wallClockMs()
        var bobWriter = ChainWriter(key: bobKey, seq: bobHead.seq, prev: bobHead.id, clock: now << 16)
        var aliceWriter = ChainWriter(key: aliceKey, seq: aliceHead.seq, prev: aliceHead.id, clock: (now + 1) << 16)
        let start = aliceWriter.next(RunStart(experiment: experiment, name: "late"), team: team, nowMs: now + 1)
        let params = bobWriter.next(RunParams(run: start.id, params: ["lr": "0.1"]), team: team, nowMs: now)

        let count = try fixture.relayEventCount()
        let refused = firstResult(try await push(fixture.relay, [params], as: bobKey))
        #expect(refused == ("rejected", "unknown_run"))
        #expect(try fixture.relayEventCount() == count)

        let both = try await push(fixture.relay, [params, start], as: bobKey)
        #expect(both.json["statuses"] as? String == "aa", "\(both.json)")
        #expect(try fixture.relayEventCount() == count + 2)
        try alice.ok("sync")
        #expect(try alice.ok("run", "show", start.id.hex).contains("0.1"))
    }
}

@Suite struct RoleAndMetricsTests {
    /// A writer cannot even sign a move of a protected alias: the local ledger refuses it, so the
    /// device's chain never holds an event the relay would reject.
    @Test func protectedAliasesAreEnforcedLocallyToo() throws {
        let fixture = try TeamFixture()
        let bob = try fixture.writerBesideProtected("team", "protect", "production", "--role", "maintainer")
        let before = try bob.eventCount()
        let refused = try bob.run("model", "promote", "digits", "1", "--to", "production", "--reason", "mine")
        #expect(!refused.ok)
        #expect(refused.stderr.contains("needs maintainer"))
        #expect(try bob.eventCount() == before)
        try bob.ok("model", "promote", "digits", "1", "--to", "staging", "--reason", "unprotected is fine")
        try bob.ok("sync")
        try fixture.admin.ok("sync")
        let staging = (try fixture.admin.json("model", "show", "digits") as? [String: Any])?["aliases"] as? [[String: Any]]
        #expect(staging?.first?["alias"] as? String == "staging")
    }

    @Test func healthAndMetricsAreServed() throws {
        let fixture = try TeamFixture()
        let base = fixture.relay.url
        #expect(try String(contentsOf: URL(string: base + "/healthz")!, encoding: .utf8) == "ok\n")
        _ = try fixture.admin.run("sync")
        let metrics = try String(contentsOf: URL(string: base + "/metrics")!, encoding: .utf8)
        for name in [
            "mledger_events_accepted_total", "mledger_push_duration_seconds_bucket", "mledger_pull_duration_seconds_count",
            "mledger_store_bytes", "mledger_events_stored",
        ] {
            #expect(metrics.contains(name), "\(name) missing from /metrics")
        }
        let stored = metrics.split(separator: "\n").first { $0.hasPrefix("mledger_events_stored ") }
        #expect(stored.flatMap { Double($0.split(separator: " ").last ?? "") } == Double(try fixture.relayEventCount()))
    }
}
