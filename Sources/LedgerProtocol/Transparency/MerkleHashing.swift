/// RFC 9162 section 2.1.1 hashing with SHA-256. Leaves and interior nodes carry different prefixes
/// (0x00, 0x01), so no leaf can pose as a node and no two trees share a root by accident.
public enum MerkleHashing {
    /// The root of the empty log: SHA-256 of nothing.
    public static let emptyRoot = Hashing.sha256([])

    public static func leaf(_ data: [UInt8]) -> [UInt8] { Hashing.sha256([0x00] + data) }

    /// A log entry is an event, named by its id: the leaf is H(0x00 || id bytes).
    public static func leaf(event id: LedgerID) -> [UInt8] { leaf(id.bytes) }

    public static func node(_ left: [UInt8], _ right: [UInt8]) -> [UInt8] { Hashing.sha256([0x01] + left + right) }

    /// The largest power of two strictly below `count` (count > 1): where RFC 9162 splits a tree.
    static func split(_ count: UInt64) -> UInt64 {
        UInt64(1) << (63 - (count - 1).leadingZeroBitCount)
    }

    static func isPowerOfTwo(_ count: UInt64) -> Bool { count != 0 && count & (count - 1) == 0 }
}
