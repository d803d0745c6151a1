import Foundation
import LedgerProcesses
import LedgerProtocol
import LedgerStore
import LedgerSync

/// Hostile requests: missing, malformed, forged, replayed and stale signatures, requests signed for
/// another relay of the team or for another team, keys of strangers and removed members, bodies that are
/// not the signed one, oversized and malformed bodies, bad queries, and paths that try to escape.
enum HostileRequests {
    /// Makes a case from the forge, the removed member's key, and a generator.
    typealias Make = @Sendable (Forge, SigningKey, inout SplitMix) -> [HostileCase]

    static let all: [(String, Make)] = [
        ("missing header", missingHeader), ("malformed header", malformedHeader), ("forged request", forgedRequest),
        ("body swapped", bodySwapped), ("replayed nonce", replayedNonce), ("stale clock", staleClock),
        ("stranger", strangerKey), ("removed member", removedKey), ("oversized body", oversizedBody),
        ("garbage frames", garbageFrames), ("bad query", badQuery), ("escaping path", escapingPath),
        ("blob not its hash", blobNotItsHash), ("another relay's request", anotherRelays), ("another team's request", anotherTeams),
    ]

    static let targets = ["/v1/frontier", "/v1/events?after=0&limit=10"]

    static func frontier(_ forge: Forge) -> HTTPRequest { forge.signed("GET", "/v1/frontier", as: forge.alice.key) }

    static let unauthorized = HostileCase.Expect.refused(statuses: [401], code: "unauthorized")

    static let missingHeader: Make = { forge, _, rng in
        var request = frontier(forge)
        let dropped = request.headers.indices.filter { request.headers[$0].0.hasPrefix("X-Mledger") }.randomElement(using: &rng) ?? 0
        let name = request.headers[dropped].0
        request.headers.remove(at: dropped)
        return [HostileCase(label: "missing \(name)", request: request, expect: unauthorized)]
    }

    static let malformedHeader: Make = { forge, _, rng in
        var request = frontier(forge)
        let i = request.headers.indices.filter { request.headers[$0].0.hasPrefix("X-Mledger") }.randomElement(using: &rng) ?? 0
        let junk =
            [
                "", "zz", "-1", "18446744073709551616", String(repeating: "f", count: 4000), "' OR 1=1 --", "<script>",
                "0x41", "1e9", " 12", "ab\u{7f}",
            ].randomElement(using: &rng) ?? ""
        request.headers[i].1 = junk
        // A control character is not allowed in a header value at all: the HTTP parser refuses it first.
        let invalidHTTP = junk.unicodeScalars.contains { $0.value < 0x20 || $0.value == 0x7f }
        return [
            HostileCase(
                label: "malformed \(request.headers[i].0)", request: request,
                expect: invalidHTTP ? .refused(statuses: [400], code: nil) : unauthorized)
        ]
    }

    static let forgedRequest: Make = { forge, _, rng in
        var request = frontier(forge)
        if let i = request.headers.firstIndex(where: { $0.0 == RequestSignature.Header.signature }) {
            request.headers[i].1 = Hex.encode((0..<64).map { _ in UInt8.random(in: 0...255, using: &rng) })
        }
        return [HostileCase(label: "forged request signature", request: request, expect: unauthorized)]
    }

    static let bodySwapped: Make = { forge, _, rng in
        var request = forge.push([SignedEvent](), as: forge.alice.key)
        request.body = (0..<Int.random(in: 1...300, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }
        return [HostileCase(label: "body not the signed one", request: request, expect: unauthorized)]
    }

    static let replayedNonce: Make = { forge, _, _ in
        let request = frontier(forge)
        return [
            HostileCase(label: "first use of a request", request: request, expect: .served),
            HostileCase(label: "replayed request", request: request, expect: unauthorized),
        ]
    }

    static let staleClock: Make = { forge, _, rng in
        let skew = UInt64.random(in: RequestSignature.maxSkewMs + 1000...30 * 86_400_000, using: &rng)
        let now = wallClockMs()
        let time = Bool.random(using: &rng) ? now + skew : now - skew
        let request = forge.signed("GET", "/v1/frontier", as: forge.alice.key, nowMs: time)
        return [HostileCase(label: "request time off by \(skew / 1000) s", request: request, expect: unauthorized)]
    }

    static let strangerKey: Make = { forge, _, _ in
        let request = forge.signed("GET", "/v1/frontier", as: SigningKey.generate())
        // Answered exactly as a bad signature, so the answer does not tell who is a member.
        return [HostileCase(label: "stranger's request", request: request, expect: unauthorized)]
    }

    static let removedKey: Make = { forge, removed, rng in
        let target = targets.randomElement(using: &rng) ?? "/v1/frontier"
        let request = forge.signed("GET", target, as: removed)
        return [HostileCase(label: "removed member's request", request: request, expect: unauthorized)]
    }

    static let oversizedBody: Make = { forge, _, rng in
        let body = [UInt8](repeating: 0, count: HostileInput.maxBody + Int.random(in: 1...1_000_000, using: &rng))
        let request = forge.signed("POST", "/v1/events", body: body, as: forge.alice.key)
        return [HostileCase(label: "oversized request body", request: request, expect: .refused(statuses: [413], code: nil))]
    }

    static let garbageFrames: Make = { forge, _, rng in
        // A length that overruns the body, or a frame cut short before its signature.
        let length = Int.random(in: 1...255, using: &rng)
        // Never exactly the length plus a signature, which would be a well-framed (if invalid) event.
        let tail = Int.random(in: 0...100, using: &rng)
        var body: [UInt8] = [0, 0, 0, UInt8(length)]
        body += (0..<(tail == length + 64 ? tail + 1 : tail)).map { _ in UInt8.random(in: 0...255, using: &rng) }
        if Bool.random(using: &rng) { body = [0xff, 0xff, 0xff, 0xff] + body }
        let request = forge.signed("POST", "/v1/events", body: body, as: forge.alice.key)
        return [HostileCase(label: "garbage frames", request: request, expect: .refused(statuses: [400], code: nil))]
    }

    static let badQuery: Make = { forge, _, rng in
        let (query, code) =
            [
                ("after=-1", "bad_cursor"), ("after=abc", "bad_cursor"), ("after=1;DROP%20TABLE%20events", "bad_cursor"),
                ("after=99999999999999999999", "bad_cursor"), ("limit=0", "bad_limit"), ("limit=-5", "bad_limit"),
                ("limit=%3Cscript%3E", "bad_limit"),
            ].randomElement(using: &rng) ?? ("after=-1", "bad_cursor")
        let request = forge.signed("GET", "/v1/events?\(query)", as: forge.alice.key)
        return [HostileCase(label: "pull with \(query)", request: request, expect: .refused(statuses: [400], code: code))]
    }

    static let escapingPath: Make = { forge, _, rng in
        let target =
            [
                "/v1/blobs/..%2F..%2Fetc%2Fpasswd", "/v1/blobs/../../etc/passwd", "/v1/blobs/" + String(repeating: "a", count: 64),
                "/v1/blobs/%00", "/v1/../v1/frontier%00", "/v1/blobs/" + String(repeating: "0", count: 63) + "/",
            ]
            .randomElement(using: &rng) ?? "/v1/blobs/.."
        let request = forge.signed("GET", target, as: forge.alice.key)
        return [HostileCase(label: "GET \(target.prefix(60))", request: request, expect: .refused(statuses: [400, 404], code: nil))]
    }
}

extension HostileRequests {
    /// An upload whose bytes do not hash to the name it claims: refused, nothing stored.
    static let blobNotItsHash: Make = { forge, _, rng in
        let claimed = Hashing.sha256(Array("the real artifact \(rng.next())".utf8))
        let body = (0..<Int.random(in: 1...4096, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }
        let target = "/v1/blobs/\(Hex.encode(claimed))"
        let request = forge.signed("PUT", target, body: body, bodySHA256: claimed, as: forge.alice.key)
        return [HostileCase(label: "blob upload not matching its hash", request: request, expect: .refused(statuses: [400], code: "hash_mismatch"))]
    }
}

extension HostileRequests {
    /// A request captured on its way to the team's second relay and replayed to the one under test:
    /// refused there, and still good (once) at the relay it was signed for.
    static let anotherRelays: Make = { forge, _, rng in
        guard let second = forge.secondRelay else { return [] }
        let target = targets.randomElement(using: &rng) ?? "/v1/frontier"
        let request = forge.signed("GET", target, as: forge.alice.key, for: second.audience)
        return [
            HostileCase(label: "request for relay B replayed to relay A", request: request, expect: unauthorized),
            HostileCase(label: "the same request at relay B", request: request, expect: .served, port: second.port),
            HostileCase(label: "the same request at relay B again", request: request, expect: unauthorized, port: second.port),
        ]
    }

    /// A member's request signed for this relay but another team.
    static let anotherTeams: Make = { forge, _, rng in
        let team = Hashing.blake2b256((0..<32).map { _ in UInt8.random(in: 0...255, using: &rng) })
        let audience = RequestSignature.Audience(relay: forge.audience.relay, team: team)
        let request = forge.signed("GET", targets.randomElement(using: &rng) ?? "/v1/frontier", as: forge.alice.key, for: audience)
        return [HostileCase(label: "request signed for team \(team.short)", request: request, expect: unauthorized)]
    }
}
