/// The right edge of a log: the hash of one full subtree per set bit of its size, largest first. It is
/// all that is needed to append leaves and to compute the root, so a client keeps it to check that the
/// leaves it pulls extend its last checkpoint to the next, and the relay keeps it to grow its tree.
public struct MerkleFrontier: Equatable, Sendable {
    public private(set) var size: UInt64
    /// Largest subtree first.
    public private(set) var hashes: [[UInt8]]

    public init() {
        size = 0
        hashes = []
    }

    /// A stored frontier; nil if the hash count does not match the size or a hash is not 32 bytes.
    public init?(size: UInt64, hashes: [[UInt8]]) {
        guard hashes.count == size.nonzeroBitCount, hashes.allSatisfy({ $0.count == 32 }) else { return nil }
        self.size = size
        self.hashes = hashes
    }

    /// The frontier of the log's first `size` leaves, read from its full subtrees.
    public init(size: UInt64, from tree: some MerkleSubtrees) throws {
        self.size = size
        hashes = []
        var start: UInt64 = 0
        for level in stride(from: 63, through: 0, by: -1) where size & (UInt64(1) << UInt64(level)) != 0 {
            hashes.append(try tree.subtree(level: level, index: start >> UInt64(level)))
            start += UInt64(1) << UInt64(level)
        }
    }

    /// Appends one leaf hash; returns the subtrees it completed, the leaf itself first, so a store can
    /// keep every full subtree (about two per leaf) and answer proofs later.
    @discardableResult
    public mutating func append(_ leaf: [UInt8]) -> [MerkleNode] {
        var node = MerkleNode(level: 0, index: size, hash: leaf)
        var completed = [node]
        while node.index & 1 == 1, let left = hashes.popLast() {
            node = MerkleNode(level: node.level + 1, index: node.index >> 1, hash: MerkleHashing.node(left, node.hash))
            completed.append(node)
        }
        hashes.append(node.hash)
        size += 1
        return completed
    }

    /// MTH of the leaves so far: the subtrees folded from the right, as RFC 9162 splits.
    public var root: [UInt8] {
        guard var r = hashes.last else { return MerkleHashing.emptyRoot }
        for h in hashes.dropLast().reversed() { r = MerkleHashing.node(h, r) }
        return r
    }
}
