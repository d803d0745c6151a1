import LedgerProtocol

/// The team-wide merge order of events: (clock, author, seq), as 48 bytes whose bytewise order is that
/// tuple order. Stored beside every projected row so SQL can compare orders without decoding.
public struct OrderKey: Hashable, Comparable, Sendable {
    public let bytes: [UInt8]

    public init(clock: UInt64, author: PublicKey, seq: UInt64) {
        var b = [UInt8]()
        b.reserveCapacity(48)
        Self.append(clock, to: &b)
        b.append(contentsOf: author.bytes)
        Self.append(seq, to: &b)
        bytes = b
    }

    public init(_ envelope: Envelope) {
        self.init(clock: envelope.clock, author: envelope.author, seq: envelope.seq)
    }

    public init?(bytes: [UInt8]) {
        guard bytes.count == 48 else { return nil }
        self.bytes = bytes
    }

    /// The hybrid clock the key starts with.
    public var clock: UInt64 { bytes.prefix(8).reduce(0) { $0 << 8 | UInt64($1) } }

    private static func append(_ v: UInt64, to b: inout [UInt8]) {
        for shift in stride(from: 56, through: 0, by: -8) { b.append(UInt8(truncatingIfNeeded: v >> UInt64(shift))) }
    }

    public static func < (a: OrderKey, b: OrderKey) -> Bool { a.bytes.lexicographicallyPrecedes(b.bytes) }
}
