/// The signed part of an event. Its encoding (see protocol/SPEC.md) is fixed-width binary followed by a
/// deterministic CBOR body, so there is exactly one byte sequence for each envelope.
public struct Envelope: Sendable, Equatable {
    /// Domain separation tag and format version; the first 16 bytes of every signed message.
    public static let magic = Array("mledger/event/v1".utf8)
    /// No event, header included, may be larger than this.
    public static let maxSize = 1 << 20
    public static let maxHeads = 32

    /// The team's id (its genesis event id); zero in the genesis event itself.
    public var team: LedgerID
    public var author: PublicKey
    /// Position in the author's chain, from 1 with no gaps.
    public var seq: UInt64
    /// Id of the author's event at `seq - 1`; zero when `seq == 1`.
    public var prev: LedgerID
    public var clock: UInt64
    public var kind: EventKind
    /// Ids of the events about the same shared thing that the author had seen (concurrency detection).
    public var heads: [LedgerID]
    /// Deterministic CBOR map.
    public var body: [UInt8]

    public init(
        team: LedgerID, author: PublicKey, seq: UInt64, prev: LedgerID, clock: UInt64,
        kind: EventKind, heads: [LedgerID] = [], body: [UInt8]
    ) {
        self.team = team
        self.author = author
        self.seq = seq
        self.prev = prev
        self.clock = clock
        self.kind = kind
        self.heads = heads
        self.body = body
    }

    public func encoded() -> [UInt8] {
        let kindBytes = Array(kind.rawValue.utf8)
        var out = [UInt8]()
        out.reserveCapacity(136 + kindBytes.count + heads.count * 32 + body.count)
        out.append(contentsOf: Self.magic)
        out.append(contentsOf: team.bytes)
        out.append(contentsOf: author.bytes)
        out.appendBigEndian(seq)
        out.append(contentsOf: prev.bytes)
        out.appendBigEndian(clock)
        out.append(UInt8(kindBytes.count))
        out.append(contentsOf: kindBytes)
        out.append(UInt8(heads.count))
        for head in heads { out.append(contentsOf: head.bytes) }
        out.appendBigEndian(UInt32(body.count))
        out.append(contentsOf: body)
        return out
    }

    /// Whether envelope bytes are of `kind`, read in place (the kind follows the fixed-size header): a
    /// look at one field of many events, without parsing them.
    public static func hasKind(_ kind: EventKind, _ bytes: [UInt8]) -> Bool {
        let start = 16 + 32 + 32 + 8 + 32 + 8
        let text = kind.rawValue.utf8
        guard bytes.count > start + text.count, Int(bytes[start]) == text.count else { return false }
        return bytes[(start + 1)..<(start + 1 + text.count)].elementsEqual(text)
    }

    /// Parses envelope bytes. Checks layout, size and kind; the body's CBOR is checked by `EventBody`.
    public static func decode(_ bytes: [UInt8]) throws(EventError) -> Envelope {
        guard bytes.count <= maxSize else { throw .oversized(size: bytes.count, limit: maxSize) }
        var r = ByteReader(bytes)
        guard let magic = r.take(16), magic.elementsEqual(Self.magic) else {
            throw .malformed("does not start with 'mledger/event/v1'")
        }
        guard let team = r.take(32).flatMap({ LedgerID(bytes: $0) }),
            let author = r.take(32).flatMap({ PublicKey(bytes: $0) }),
            let seq = r.u64(),
            let prev = r.take(32).flatMap({ LedgerID(bytes: $0) }),
            let clock = r.u64(),
            let kindLength = r.u8(),
            let kindBytes = r.take(Int(kindLength))
        else { throw .malformed("header is truncated") }
        let kindText = String(decoding: kindBytes, as: UTF8.self)
        guard let kind = EventKind(rawValue: kindText) else { throw .unknownKind(kindText) }
        guard let headCount = r.u8(), headCount <= maxHeads else {
            throw .malformed("head count missing or over \(maxHeads)")
        }
        var heads = [LedgerID]()
        for _ in 0..<headCount {
            guard let head = r.take(32).flatMap({ LedgerID(bytes: $0) }) else {
                throw .malformed("heads are truncated")
            }
            heads.append(head)
        }
        guard let bodyLength = r.u32(), let body = r.take(Int(bodyLength)) else {
            throw .malformed("body is truncated")
        }
        guard r.remaining == 0 else { throw .malformed("\(r.remaining) bytes after the body") }
        guard seq >= 1 else { throw .malformed("seq must start at 1") }
        guard (seq == 1) == prev.isZero else {
            throw .malformed(seq == 1 ? "seq 1 must have a zero prev" : "prev is zero after seq 1")
        }
        guard kind == .teamGenesis ? team.isZero : !team.isZero else {
            throw .malformed(kind == .teamGenesis ? "genesis must have a zero team" : "team is zero")
        }
        guard kind != .teamGenesis || seq == 1 else { throw .malformed("genesis must be its author's first event (seq 1)") }
        return Envelope(
            team: team, author: author, seq: seq, prev: prev, clock: clock,
            kind: kind, heads: heads, body: Array(body)
        )
    }
}
