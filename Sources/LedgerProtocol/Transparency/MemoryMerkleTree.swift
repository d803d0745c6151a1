/// A log's full subtrees held in memory: the reference store for tests, vectors and benchmarks, and
/// what a relay's stored table must agree with.
public struct MemoryMerkleTree: MerkleSubtrees, Sendable {
    public private(set) var frontier = MerkleFrontier()
    private var levels: [[[UInt8]]] = []

    public init() {}

    public init(leaves: [[UInt8]]) {
        for leaf in leaves { append(leaf) }
    }

    public var size: UInt64 { frontier.size }

    public mutating func append(_ leaf: [UInt8]) {
        for node in frontier.append(leaf) {
            if levels.count <= node.level { levels.append([]) }
            levels[node.level].append(node.hash)
        }
    }

    public func subtree(level: Int, index: UInt64) throws -> [UInt8] {
        guard level < levels.count, index < levels[level].count else {
            throw TransparencyError.storage("no full subtree at level \(level), index \(index)")
        }
        return levels[level][Int(index)]
    }
}
