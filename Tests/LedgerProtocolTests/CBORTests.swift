import Testing

@testable import LedgerProtocol

@Suite struct CBORTests {
    @Test func roundTripsEveryKindOfValue() throws {
        let value = CBOR.map([
            "u": .unsigned(0), "big": .unsigned(UInt64.max), "n": .int(-500), "b": .bytes([1, 2, 3]),
            "t": .text("héllo ✓"), "a": .array([.bool(true), .bool(false), .null, .double(-0.0), .double(.infinity)]),
            "m": .map(["x": .unsigned(24), "yy": .unsigned(256)]),
        ])
        #expect(try CBOR.decode(value.encoded()) == value)
    }

    @Test func encodesHeadsInShortestForm() {
        #expect(CBOR.unsigned(23).encoded() == [0x17])
        #expect(CBOR.unsigned(24).encoded() == [0x18, 24])
        #expect(CBOR.unsigned(256).encoded() == [0x19, 1, 0])
        #expect(CBOR.unsigned(65536).encoded() == [0x1a, 0, 1, 0, 0])
        #expect(CBOR.int(-1).encoded() == [0x20])
        #expect(CBOR.double(1.5).encoded() == [0xfb, 0x3f, 0xf8, 0, 0, 0, 0, 0, 0])
    }

    @Test func sortsMapKeysByEncodedBytes() {
        // Shorter keys first (their head byte is smaller), then bytewise.
        let encoded = CBOR.map(["bb": .null, "a": .null, "c": .null]).encoded()
        #expect(encoded == [0xa3, 0x61, 0x61, 0xf6, 0x61, 0x63, 0xf6, 0x62, 0x62, 0x62, 0xf6])
    }

    @Test(arguments: [
        ([0x18, 0x05] as [UInt8], "integer not in shortest form"),
        ([0xa2, 0x61, 0x62, 0xf6, 0x61, 0x61, 0xf6], "map keys not in strictly increasing order"),
        ([0xa2, 0x61, 0x61, 0xf6, 0x61, 0x61, 0xf6], "map keys not in strictly increasing order"),
        ([0xa1, 0x01, 0xf6], "map key is not text"),
        ([0x9f, 0xff], "indefinite or reserved length"),
        ([0xc1, 0x00], "tags are not allowed"),
        ([0xf9, 0x3c, 0x00], "simple value or float width not allowed"),
        ([0x01, 0x02], "trailing bytes after the body"),
        ([0x62, 0xff, 0xfe], "text is not valid UTF-8"),
        ([0x5a, 0xff, 0xff, 0xff, 0xff], "length beyond end of body"),
    ])
    func rejectsNonDeterministicInput(bytes: [UInt8], reason: String) {
        #expect { try CBOR.decode(bytes) } throws: { ($0 as? CBORError)?.reason == reason }
    }

    @Test func rejectsCanonicallyEquivalentKeys() {
        // "é" precomposed (c3 a9) and decomposed (65 cc 81): distinct bytes in order, one Swift String.
        let bytes: [UInt8] = [0xa2, 0x62, 0xc3, 0xa9, 0x01, 0x63, 0x65, 0xcc, 0x81, 0x02]
        #expect { try CBOR.decode(bytes) } throws: { ($0 as? CBORError)?.reason == "map keys are canonically equivalent text" }
    }

    @Test func rejectsDeepNesting() {
        let deep = [UInt8](repeating: 0x81, count: 100) + [0x00]
        #expect(throws: CBORError.self) { try CBOR.decode(deep) }
        let ok = [UInt8](repeating: 0x81, count: 10) + [0x00]
        #expect(throws: Never.self) { try CBOR.decode(ok) }
    }
}
