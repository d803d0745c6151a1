import LedgerProtocol

/// Builds a digest over projection rows: each value is written with a type tag and length, so two
/// different sequences of rows can never hash alike. Equal digests mean equal team views.
public struct ViewDigest: Sendable {
    private var buffer: [UInt8] = []

    public init() {}

    public mutating func table(_ name: String) {
        text(name)
        buffer.append(0xff)
    }
    public mutating func endRow() { buffer.append(0xfe) }

    public mutating func null() { buffer.append(0) }
    public mutating func int(_ v: Int64) {
        buffer.append(1)
        buffer.append(contentsOf: Self.be(UInt64(bitPattern: v)))
    }
    public mutating func double(_ v: Double) {
        buffer.append(2)
        buffer.append(contentsOf: Self.be(v.bitPattern))
    }
    public mutating func text(_ s: String) { blob(Array(s.utf8), tag: 3) }
    public mutating func blob(_ b: [UInt8]) { blob(b, tag: 4) }

    private mutating func blob(_ b: [UInt8], tag: UInt8) {
        buffer.append(tag)
        buffer.append(contentsOf: Self.be(UInt64(b.count)))
        buffer.append(contentsOf: b)
    }

    private static func be(_ v: UInt64) -> [UInt8] { (0..<8).map { UInt8(truncatingIfNeeded: v >> (56 - 8 * UInt64($0))) } }

    public func finish() -> LedgerID { Hashing.blake2b256(buffer) }
}
