/// A 32-byte identifier: an event id, an entity id or a team id. Shown as hex, compared bytewise.
public struct LedgerID: Hashable, Comparable, Sendable, CustomStringConvertible {
    public let bytes: [UInt8]

    public static let zero = LedgerID(unchecked: [UInt8](repeating: 0, count: 32))

    public init?<C: Collection>(bytes: C) where C.Element == UInt8 {
        guard bytes.count == 32 else { return nil }
        self.bytes = Array(bytes)
    }

    init(unchecked bytes: [UInt8]) { self.bytes = bytes }

    public init?(hex: String) {
        guard let b = Hex.decode(hex) else { return nil }
        self.init(bytes: b)
    }

    public var hex: String { Hex.encode(bytes) }
    /// The first 12 hex digits: enough to name an entity in a team's ledger, as git abbreviates commits.
    public var short: String { String(hex.prefix(12)) }
    public var description: String { hex }
    public var isZero: Bool { bytes.allSatisfy { $0 == 0 } }

    public static func < (a: LedgerID, b: LedgerID) -> Bool { a.bytes.lexicographicallyPrecedes(b.bytes) }

    /// Hashes the bytes as one block (the synthesized version feeds them to the hasher one at a time).
    public func hash(into hasher: inout Hasher) { bytes.withUnsafeBytes { hasher.combine(bytes: $0) } }
}
