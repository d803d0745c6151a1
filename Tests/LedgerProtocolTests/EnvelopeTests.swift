import Testing

@testable import LedgerProtocol

@Suite struct EnvelopeTests {
    let key = SigningKey(seed: [UInt8](repeating: 7, count: 32))!
    let team = Hashing.blake2b256([1, 2, 3])

    func event(seq: UInt64 = 1, prev: LedgerID = .zero, kind: EventKind = .experimentCreate, body: [UInt8]? = nil) -> SignedEvent {
        SignedEvent(
            signing: Envelope(
                team: team, author: key.publicKey, seq: seq, prev: prev, clock: 42 << 16,
                kind: kind, body: body ?? ExperimentCreate(name: "x").encoded()), with: key)
    }

    @Test func decodesWhatItEncodes() throws {
        let e = event()
        let decoded = try SignedEvent(bytes: e.bytes, signature: e.signature)
        #expect(decoded.envelope == e.envelope)
        #expect(decoded.id == Hashing.blake2b256(e.bytes))
        #expect(e.bytes.starts(with: Array("mledger/event/v1".utf8)))
    }

    /// The kind read in place agrees with the parsed one for every kind, and never reads past the bytes.
    @Test func kindIsReadInPlace() {
        for kind in EventKind.allCases {
            let bytes = event(kind: kind, body: [0xa0]).bytes
            #expect(Envelope.hasKind(kind, bytes), "\(kind)")
            #expect(EventKind.allCases.filter { Envelope.hasKind($0, bytes) } == [kind])
        }
        let cosign = event(kind: .relayCosign, body: [0xa0]).bytes
        for length in [0, 128, 129, 130, cosign.count - 1] {
            #expect(!Envelope.hasKind(.relayCosign, Array(cosign.prefix(length))) || length >= 129 + 12 + 1, "\(length) bytes")
        }
    }

    @Test func anyChangedByteBreaksTheSignatureOrTheLayout() {
        let e = event()
        for i in 0..<e.bytes.count {
            var bytes = e.bytes
            bytes[i] ^= 0x40
            #expect(throws: EventError.self, "byte \(i)") { try SignedEvent(bytes: bytes, signature: e.signature) }
        }
    }

    @Test func seqAndPrevMustAgree() {
        let withPrev = Envelope(team: team, author: key.publicKey, seq: 1, prev: team, clock: 1, kind: .experimentCreate, body: [0xa0])
        #expect(throws: EventError.malformed("seq 1 must have a zero prev")) { try Envelope.decode(withPrev.encoded()) }
        let zeroSeq = Envelope(team: team, author: key.publicKey, seq: 0, prev: .zero, clock: 1, kind: .experimentCreate, body: [0xa0])
        #expect(throws: EventError.malformed("seq must start at 1")) { try Envelope.decode(zeroSeq.encoded()) }
    }

    @Test func bodiesAreChecked() throws {
        let blank = CBOR.map(["model": .bytes(team.bytes), "alias": .text("prod"), "reason": .text(" \n")]).encoded()
        #expect(throws: EventError.self) { try event(kind: .demote, body: blank).body() }
        let unsafePath = RunArtifacts(run: team, files: [ArtifactFile(path: "../etc/passwd", sha256: [UInt8](repeating: 0, count: 32), size: 1)])
        #expect(throws: EventError.self) { try event(kind: .runArtifacts, body: unsafePath.encoded()).body() }
        let metrics = RunMetrics(run: team, series: ["loss": [MetricPoint(step: 1, timestamp: 2, value: .nan)]])
        guard case .runMetrics(let decoded) = try event(kind: .runMetrics, body: metrics.encoded()).body() else {
            Issue.record("a metrics body must decode as run.metrics")
            return
        }
        #expect(decoded.series["loss"]?.first?.value.isNaN == true)
    }

    @Test func pathSafetyAndBlanknessWorkOnBytesAndScalars() {
        for unsafe in ["/\u{301}etc/passwd", "a\\\u{301}b", "..\u{301}/x".replacingOccurrences(of: "\u{301}", with: ""), "a//b", "", "a/./b"] {
            #expect(!ArtifactFile.isSafePath(unsafe), "\(unsafe.debugDescription)")
        }
        #expect(!ArtifactFile.isSafePath("/\u{301}etc/passwd"))
        #expect(ArtifactFile.isSafePath("..\u{301}/x"), "a segment with a combining mark is a name, not '..'")
        #expect(ArtifactFile.isSafePath("model/weights.bin"))
        let spaced = CBOR.map(["name": .text(" \u{301}")]).encoded()
        #expect(throws: Never.self) { try EventBody.decode(kind: .experimentCreate, bytes: spaced) }
    }

    @Test func metricPointsPackExactly() {
        let points = [MetricPoint(step: -1, timestamp: 1_700_000_000_000, value: 0.1), MetricPoint(step: .max, timestamp: 0, value: -.infinity)]
        let packed = MetricPoint.pack(points)
        #expect(packed.count == 48)
        #expect(MetricPoint.unpack(packed) == points)
        #expect(MetricPoint.unpack(packed.dropLast()) == nil)
    }

    @Test func hybridClockNeverGoesBackwards() throws {
        let now: UInt64 = 1_000_000
        #expect(HybridClock.next(afterSeen: 0, nowMs: now) == now << 16)
        let ahead = (now + 5000) << 16
        #expect(HybridClock.next(afterSeen: ahead, nowMs: now) == ahead + 1)
        #expect(throws: Never.self) { try HybridClock.check((now + 1000) << 16, nowMs: now) }
        #expect(throws: EventError.clockInFuture(eventMs: now + 11 * 60_000, nowMs: now)) {
            try HybridClock.check((now + 11 * 60_000) << 16, nowMs: now)
        }
    }

    @Test func chainRulesPlaceEvents() throws {
        var writer = ChainWriter(key: key)
        let first = writer.next(ExperimentCreate(name: "a"), team: team, nowMs: 1000)
        let second = writer.next(ExperimentCreate(name: "b"), team: team, nowMs: 1000)
        let none = ChainNeighbourhood(highestSeq: 0, predecessors: [], sameSeq: [])
        #expect(try ChainRules.place(first, team: team, nowMs: 1000, chain: none) == .append)
        #expect(throws: EventError.seqGap(expected: 1, got: 2)) { try ChainRules.place(second, team: team, nowMs: 1000, chain: none) }
        let after = ChainNeighbourhood(highestSeq: 1, predecessors: [ChainLink(id: first.id, clock: first.envelope.clock)], sameSeq: [])
        #expect(try ChainRules.place(second, team: team, nowMs: 1000, chain: after) == .append)
        let occupied = ChainNeighbourhood(
            highestSeq: 2, predecessors: [ChainLink(id: first.id, clock: first.envelope.clock)], sameSeq: [Hashing.blake2b256([9])])
        #expect(try ChainRules.place(second, team: team, nowMs: 1000, chain: occupied) == .fork(existing: [Hashing.blake2b256([9])]))
        #expect(throws: EventError.wrongTeam(expected: first.id, got: team)) {
            try ChainRules.place(second, team: first.id, nowMs: 1000, chain: after)
        }
    }

    @Test func passphraseSealOpensOnlyWithThePassphrase() throws {
        let secret = [UInt8](repeating: 9, count: 32)
        let sealed = try #require(PassphraseSeal.seal(secret, passphrase: "correct horse"))
        #expect(sealed.open(passphrase: "correct horse") == secret)
        #expect(sealed.open(passphrase: "wrong") == nil)
        var altered = sealed
        altered.ciphertext[0] ^= 1
        #expect(altered.open(passphrase: "correct horse") == nil)
    }
}

@Suite struct LoginLinkTests {
    @Test func aLinkVerifiesOnlyWithItsTeamPageAndKey() throws {
        let key = SigningKey.generate()
        let team = Hashing.blake2b256(Array("team".utf8))
        let link = LoginLink.sign(team: team, next: "/models", key: key, nowMs: 1_000)
        let items = Dictionary(uniqueKeysWithValues: link.queryItems)
        let parsed = try #require(LoginLink(parameter: { items[$0] }))
        #expect(parsed == link && parsed.isSignedByItsKey)
        var moved = parsed
        moved.next = "/audit"
        #expect(!moved.isSignedByItsKey)
        moved = parsed
        moved.team = Hashing.blake2b256(Array("other".utf8))
        #expect(!moved.isSignedByItsKey)
        #expect(LoginLink(parameter: { $0 == "signature" ? nil : items[$0] }) == nil)
        // A login signature is not a request signature for the same target.
        #expect(!link.signature.isValid(method: "GET", target: "\(team.hex)\n/models", bodySHA256: [], audience: nil))
        #expect(
            !link.signature.isValid(
                method: LoginLink.method, target: "\(team.hex)\n/models", bodySHA256: [],
                audience: .init(relay: [UInt8](repeating: 2, count: 32), team: team)))
    }
}
