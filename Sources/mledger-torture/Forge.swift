import LedgerProtocol
import LedgerStore
import LedgerSync

/// Crafts events and signed requests as a member (or an outsider) would send them, on the members' real
/// chains: the base from which hostile inputs are mutated.
struct Forge: Sendable {
    let team: LedgerID
    let model: LedgerID
    let version: LedgerID
    /// A run of the admin's, for params and tags.
    let run: LedgerID
    /// The admin's chain (valid events advance it), a writer's, and a removed member's.
    var alice: ChainWriter
    var bob: ChainWriter
    var carol: ChainWriter
    /// A device its member revoked.
    var revokedDevice: ChainWriter
    /// The relay under test and its team, as it announces them: what requests are signed for.
    let audience: RequestSignature.Audience
    /// A second relay of the same team, where requests for the first one are replayed.
    var secondRelay: (port: Int, audience: RequestSignature.Audience)?

    /// Continues `key`'s chain where `ledger` holds its head, from that head's clock.
    static func writer(_ key: SigningKey, in ledger: Ledger) throws -> ChainWriter {
        let (seq, prev) = try ledger.chainHead(of: key.publicKey)
        return ChainWriter(key: key, seq: seq, prev: prev, clock: try ledger.clock(of: prev) ?? 0)
    }

    /// The next event of a chain dated just after its previous one, however long ago that was.
    static func backdatedDraft(_ writer: inout ChainWriter, _ body: some BodyFields, team: LedgerID) -> Envelope {
        writer.nextUnsigned(kind: type(of: body).kind, body: body.encoded(), team: team, nowMs: 0).envelope
    }

    /// The next event of a chain, not yet signed, so a field can be changed before signing.
    static func draft(_ writer: inout ChainWriter, _ body: some BodyFields, team: LedgerID, heads: [LedgerID] = []) -> Envelope {
        writer.nextUnsigned(kind: type(of: body).kind, body: body.encoded(), team: team, heads: heads, nowMs: wallClockMs()).envelope
    }

    /// A push of raw frames, signed by `key` as `mledger sync` signs it.
    func push(_ frames: [(bytes: [UInt8], signature: [UInt8])], as key: SigningKey) -> HTTPRequest {
        signed("POST", "/v1/events", body: EventFrames.encode(frames), as: key)
    }

    func push(_ events: [SignedEvent], as key: SigningKey) -> HTTPRequest {
        push(events.map { (bytes: $0.bytes, signature: $0.signature) }, as: key)
    }

    /// A request signed by `key` for the relay under test (or `audience`); a blob upload signs the hash
    /// named in its path (`bodySHA256`).
    func signed(
        _ method: String, _ target: String, body: [UInt8] = [], bodySHA256: [UInt8]? = nil, as key: SigningKey,
        nowMs: UInt64 = wallClockMs(), for audience: RequestSignature.Audience? = nil
    ) -> HTTPRequest {
        let headers = RequestSignature.headers(
            method: method, target: target, bodySHA256: bodySHA256 ?? Hashing.sha256(body),
            audience: audience ?? self.audience, key: key, nowMs: nowMs)
        return HTTPRequest(method: method, target: target, headers: headers + [("Content-Type", EventFrames.contentType)], body: body)
    }
}
