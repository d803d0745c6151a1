import Testing

@testable import LedgerProtocol

/// Import provenance (SPEC 6.14) rides in a body of any kind and is checked wherever it appears.
@Suite struct ProvenanceTests {
    static let provenance = Provenance(
        system: "mlflow", source: "http://127.0.0.1:5000", object: "run", ids: ["run_id": "abc"], user: "ada", time: -1, updated: 7,
        data: ["artifact_uri": "mlflow-artifacts:/1/abc/artifacts"], stateAtImport: true)

    @Test func anyBodyCarriesProvenanceAndDecodesAsItsKind() throws {
        let body = RunTags(run: .zero, tags: ["k": "v"])
        let bytes = Imported(body, Self.provenance).encoded()
        #expect(try EventBody.decode(kind: .runTags, bytes: bytes) == .runTags(body))
        #expect(try Provenance.of(kind: .runTags, body: bytes) == Self.provenance)
        #expect(try Provenance.of(kind: .runTags, body: body.encoded()) == nil)
        let fields = Fields(kind: .runTags, map: try #require(try { if case .map(let m) = try CBOR.decode(bytes) { m } else { nil } }()))
        #expect(try Imported<RunTags>(fields: fields) == Imported(body, Self.provenance))
    }

    @Test func malformedProvenanceMakesTheBodyInvalid() throws {
        var map = RunTags(run: .zero, tags: ["k": "v"]).cbor
        var bad = Self.provenance.cbor
        guard case .map(var p) = bad else { return }
        p["ids"] = .map([:])
        bad = .map(p)
        map["imported"] = bad
        #expect(throws: EventError.self) { try EventBody.decode(kind: .runTags, bytes: CBOR.map(map).encoded()) }
        map["imported"] = .text("http://127.0.0.1:5000")
        #expect(throws: EventError.self) { try EventBody.decode(kind: .runTags, bytes: CBOR.map(map).encoded()) }
    }

    @Test func theKeySearchFindsTheFieldAnywhereInTheBytes() {
        let key = CBOR.text("imported").encoded()
        #expect(([0, 1] + key + [2]).containsSequence(key))
        #expect(key.containsSequence(key))
        #expect(!Array(key.dropLast()).containsSequence(key))
        #expect(!([UInt8](repeating: key[0], count: 40)).containsSequence(key))
    }
}
