import LedgerProtocol

/// The team-wide merge order of events: (clock, author, seq, id), as 80 bytes whose bytewise order is
/// that tuple order. The id only separates the two sides of a fork that share a clock, so no two events
/// ever tie. Stored beside every projected row so SQL can compare orders without decoding.
public struct OrderKey: Hashable, Comparable, Sendable {
    public let bytes: [UInt8]
    /// Where the event id starts: after the clock (8 bytes), the author (32) and the seq (8).
    public static let idOffset = 48

    public init(clock: UInt64, author: PublicKey, seq: UInt64, id: LedgerID = .zero) {
        var b = [UInt8]()
        b.reserveCapacity(80)
        Self.append(clock, to: &b)
        b.append(contentsOf: author.bytes)
        Self.append(seq, to: &b)
        b.append(contentsOf: id.bytes)
        bytes = b
    }

    public init(_ event: SignedEvent) {
        self.init(clock: event.envelope.clock, author: event.envelope.author, seq: event.envelope.seq, id: event.id)
    }

    public init?(bytes: [UInt8]) {
        guard bytes.count == 80 else { return nil }
        self.bytes = bytes
    }

    /// The hybrid clock the key starts with.
    public var clock: UInt64 { bytes.prefix(8).reduce(0) { $0 << 8 | UInt64($1) } }

    private static func append(_ v: UInt64, to b: inout [UInt8]) {
        for shift in stride(from: 56, through: 0, by: -8) { b.append(UInt8(truncatingIfNeeded: v >> UInt64(shift))) }
    }

    public static func < (a: OrderKey, b: OrderKey) -> Bool { a.bytes.lexicographicallyPrecedes(b.bytes) }
}
