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
