/// One full subtree of a log: level 0 holds the leaf hashes, and the node at (level, index) covers the
/// leaves [index << level, (index + 1) << level).
public struct MerkleNode: Equatable, Sendable {
    public var level: Int
    public var index: UInt64
    public var hash: [UInt8]

    public init(level: Int, index: UInt64, hash: [UInt8]) {
        self.level = level
        self.index = index
        self.hash = hash
    }
}

/// Where a log's full-subtree hashes are read from: the relay's stored table, or memory. Every root and
/// proof of RFC 9162 is assembled from O(log n) of them, so a log of millions answers in microseconds.
public protocol MerkleSubtrees {
    func subtree(level: Int, index: UInt64) throws -> [UInt8]
}

extension MerkleSubtrees {
    /// MTH(D[0:size]), the root hash of the log's first `size` leaves.
    public func root(size: UInt64) throws -> [UInt8] { try rangeHash(start: 0, count: size) }

    /// PATH(index, D[0:size]) of RFC 9162 2.1.3.1: the sibling hashes from the leaf up to the root.
    public func inclusionProof(index: UInt64, size: UInt64) throws(TransparencyError) -> [[UInt8]] {
        guard index < size else { throw .outOfRange("leaf \(index) is not in a log of \(size)") }
        return try reading { try path(index, start: 0, count: size) }
    }

    /// PROOF(old, D[0:new]) of RFC 9162 2.1.4.1: what shows the first `old` leaves are unchanged at `new`.
    /// Empty when old is 0 or equal to new (nothing to prove).
    public func consistencyProof(old: UInt64, new: UInt64) throws(TransparencyError) -> [[UInt8]] {
        guard old <= new else { throw .outOfRange("a log of \(old) cannot be consistent with a smaller one of \(new)") }
        guard old > 0, old < new else { return [] }
        return try reading { try subproof(old, start: 0, count: new, complete: true) }
    }

    /// Turns a storage failure into a transparency error the caller can report.
    private func reading<T>(_ body: () throws -> T) throws(TransparencyError) -> T {
        do { return try body() } catch let error as TransparencyError { throw error } catch { throw .storage("\(error)") }
    }

    /// MTH(D[start:start+count]). In every range the RFC's recursion visits, `start` is a multiple of
    /// each power of two up to the range's own split, so a power-of-two range is one stored subtree.
    func rangeHash(start: UInt64, count: UInt64) throws -> [UInt8] {
        if count == 0 { return MerkleHashing.emptyRoot }
        if MerkleHashing.isPowerOfTwo(count) {
            let level = count.trailingZeroBitCount
            return try subtree(level: level, index: start >> UInt64(level))
        }
        let k = MerkleHashing.split(count)
        return MerkleHashing.node(try rangeHash(start: start, count: k), try rangeHash(start: start + k, count: count - k))
    }

    private func path(_ m: UInt64, start: UInt64, count: UInt64) throws -> [[UInt8]] {
        guard count > 1 else { return [] }
        let k = MerkleHashing.split(count)
        if m < k { return try path(m, start: start, count: k) + [rangeHash(start: start + k, count: count - k)] }
        return try path(m - k, start: start + k, count: count - k) + [rangeHash(start: start, count: k)]
    }

    private func subproof(_ m: UInt64, start: UInt64, count: UInt64, complete: Bool) throws -> [[UInt8]] {
        if m == count { return complete ? [] : [try rangeHash(start: start, count: count)] }
        let k = MerkleHashing.split(count)
        if m <= k {
            return try subproof(m, start: start, count: k, complete: complete) + [rangeHash(start: start + k, count: count - k)]
        }
        return try subproof(m - k, start: start + k, count: count - k, complete: false) + [rangeHash(start: start, count: k)]
    }
}
