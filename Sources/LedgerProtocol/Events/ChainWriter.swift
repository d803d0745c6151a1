/// Signs the next events of one author's chain: each gets the next seq, the previous event's id as
/// prev, and a hybrid clock above everything seen so far.
public struct ChainWriter: Sendable {
    public let key: SigningKey
    public private(set) var seq: UInt64
    public private(set) var prev: LedgerID
    /// The highest clock seen (issued by this writer or observed from others).
    public private(set) var clock: UInt64

    /// Continues a chain whose last event is at `seq` with id `prev` (0 and zero for a new chain).
    public init(key: SigningKey, seq: UInt64 = 0, prev: LedgerID = .zero, clock: UInt64 = 0) {
        self.key = key
        self.seq = seq
        self.prev = prev
        self.clock = clock
    }

    /// Raises the clock after seeing another author's event, so later events order after it.
    public mutating func observe(clock seen: UInt64) { clock = max(clock, seen) }

    /// Signs `body` as the next event. A genesis gets the zero team, as the envelope requires.
    public mutating func next(_ body: some BodyFields, team: LedgerID, heads: [LedgerID] = [], nowMs: UInt64) -> SignedEvent {
        next(kind: type(of: body).kind, body: body.encoded(), team: team, heads: heads, nowMs: nowMs)
    }

    /// Signs an already encoded body of `kind` as the next event.
    public mutating func next(kind: EventKind, body: [UInt8], team: LedgerID, heads: [LedgerID] = [], nowMs: UInt64) -> SignedEvent {
        nextUnsigned(kind: kind, body: body, team: team, heads: heads, nowMs: nowMs).signed(with: key)
    }

    /// Places the next event in the chain without signing it yet. Ids do not depend on signatures, so a
    /// batch can be chained in order and then signed in parallel.
    public mutating func nextUnsigned(kind: EventKind, body: [UInt8], team: LedgerID, heads: [LedgerID] = [], nowMs: UInt64) -> UnsignedEvent {
        clock = HybridClock.next(afterSeen: clock, nowMs: nowMs)
        seq += 1
        let envelope = Envelope(
            team: kind == .teamGenesis ? .zero : team, author: key.publicKey, seq: seq, prev: prev,
            clock: clock, kind: kind, heads: heads, body: body)
        let event = UnsignedEvent(envelope: envelope)
        prev = event.id
        return event
    }
}
