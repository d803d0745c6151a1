import Testing

@testable import LedgerProtocol

/// The worked example of protocol/SYNC.md §2.2, byte for byte: a second client can check itself against it.
@Suite struct RequestSignatureTests {
    let key = SigningKey(seed: [UInt8](repeating: 0x01, count: 32))
    let audience = RequestSignature.Audience(
        relay: Array(0..<32), team: LedgerID(hex: "1a8bc275566e7e278b18475d7dbb5d7e5d656b1ef933a66ec08bda959b2ae5d1"))
    let emptyBody = Hashing.sha256([])

    @Test func theDocumentedExample() throws {
        let key = try #require(self.key)
        let message = RequestSignature.message(
            method: "GET", target: "/v1/events?after=0&limit=5000", timeMs: 1_767_225_600_000,
            nonce: "000102030405060708090a0b0c0d0e0f", bodySHA256: emptyBody, audience: audience)
        #expect(
            String(decoding: message, as: UTF8.self) == """
                mledger-request-v2
                000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f
                1a8bc275566e7e278b18475d7dbb5d7e5d656b1ef933a66ec08bda959b2ae5d1
                GET
                /v1/events?after=0&limit=5000
                1767225600000
                000102030405060708090a0b0c0d0e0f
                e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855
                """)
        #expect(key.publicKey.hex == "8a88e3dd7409f195fd52db2d3cba5d72ca6709bf1d94121bf3748801b40f6f5c")
        #expect(
            Hex.encode(key.sign(message)) == "1a1f08cb5ed74b9ada1eadda2bb190c14279bcb456991366023d52d44bfd2dff"
                + "43e4aaa764ae2aaf7ab5712751f0d80c82fcc2f2a13706f222e3684a0de9fb0a")
    }

    /// A signature is good for one relay and one team only.
    @Test func aSignatureNamesItsRelayAndTeam() throws {
        let key = try #require(self.key)
        let signed = RequestSignature.sign(method: "GET", target: "/v1/frontier", bodySHA256: emptyBody, audience: audience, key: key, nowMs: 1)
        #expect(signed.isValid(method: "GET", target: "/v1/frontier", bodySHA256: emptyBody, audience: audience))
        var otherRelay = audience
        otherRelay.relay[0] ^= 1
        #expect(!signed.isValid(method: "GET", target: "/v1/frontier", bodySHA256: emptyBody, audience: otherRelay))
        var otherTeam = audience
        otherTeam.team = Hashing.blake2b256([1])
        #expect(!signed.isValid(method: "GET", target: "/v1/frontier", bodySHA256: emptyBody, audience: otherTeam))
        otherTeam.team = nil
        #expect(!signed.isValid(method: "GET", target: "/v1/frontier", bodySHA256: emptyBody, audience: otherTeam))
    }
}
