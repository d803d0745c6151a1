/// An admin names a relay's transparency-log key (SPEC 6.17) as the team's: a client then accepts a
/// relay's log only under an announced key, instead of trusting the first key it sees.
public struct RelayAnnounce: BodyFields {
    public static let kind = EventKind.relayAnnounce
    /// The log's verifier key, `<origin>+<key id>+<base64 key>`, as `GET /v1/relay` gives it.
    public var key: String
    /// Where the relay is served, for people reading the ledger.
    public var url: String?
    public init(key: String, url: String? = nil) {
        self.key = key
        self.url = url
    }
    public init(fields f: Fields) throws(EventError) {
        key = try f.text("key", maxLength: 1024)
        do { _ = try SignedNote.parseVerifierKey(key) } catch { throw f.fail("'key' is not a log verifier key: \(error)") }
        url = try f.optionalText("url", maxLength: 2048)
    }
    public var cbor: [String: CBOR] {
        var m: [String: CBOR] = ["key": .text(key)]
        m.set("url", url.map(CBOR.text))
        return m
    }
}

/// A member witnesses a relay's checkpoint (SPEC 6.18): the signed note their sync verified, under the
/// log key it verified it with. Cosignatures travel with the data, so any member holding two that are not
/// consistent holds proof that the relay showed members different histories.
public struct RelayCosign: BodyFields {
    public static let kind = EventKind.relayCosign
    /// The log's verifier key, `<origin>+<key id>+<base64 key>`.
    public var key: String
    /// The checkpoint as the relay signed it (a C2SP signed note).
    public var checkpoint: String
    public init(key: String, checkpoint: String) {
        self.key = key
        self.checkpoint = checkpoint
    }
    public init(fields f: Fields) throws(EventError) {
        key = try f.text("key", maxLength: 1024)
        checkpoint = try f.text("checkpoint", maxLength: 4096)
        let size: UInt64
        do { size = try verified().size } catch { throw f.fail("'checkpoint' is not a checkpoint signed by 'key': \(error)") }
        // No log grows that large; receivers keep sizes as signed 64-bit integers.
        guard size <= UInt64(Int64.max) else { throw f.fail("'checkpoint' has size \(size), above 2^63 - 1") }
    }
    public var cbor: [String: CBOR] { ["key": .text(key), "checkpoint": .text(checkpoint)] }

    /// The checkpoint, its signature checked against the key (and the key's origin).
    public func verified() throws(TransparencyError) -> Checkpoint {
        let (origin, publicKey) = try SignedNote.parseVerifierKey(key)
        return try Checkpoint.verified(note: checkpoint, origin: origin, key: publicKey).0
    }
}
