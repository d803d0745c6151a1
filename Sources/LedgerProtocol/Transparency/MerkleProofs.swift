/// Checks RFC 9162 proofs (sections 2.1.3.2 and 2.1.4.2) against roots a client already trusts. Pure:
/// the client needs only the proof, the sizes and the roots, never the log.
public enum MerkleProofs {
    /// Checks that `leaf` is at `index` in the log of `size` whose root is `root`.
    public static func verifyInclusion(
        leaf: [UInt8], index: UInt64, size: UInt64, proof: [[UInt8]], root: [UInt8]
    ) throws(TransparencyError) {
        guard index < size else { throw .inclusionFailed("leaf \(index) is not in a log of \(size)") }
        var fn = index
        var sn = size - 1
        var r = leaf
        for p in proof {
            guard sn != 0 else { throw .inclusionFailed("the proof has more hashes than a log of \(size) needs") }
            if fn & 1 == 1 || fn == sn {
                r = MerkleHashing.node(p, r)
                while fn & 1 == 0 && fn != 0 {
                    fn >>= 1
                    sn >>= 1
                }
            } else {
                r = MerkleHashing.node(r, p)
            }
            fn >>= 1
            sn >>= 1
        }
        guard sn == 0 else { throw .inclusionFailed("the proof has fewer hashes than a log of \(size) needs") }
        guard r == root else { throw .inclusionFailed("leaf \(index) does not lead to the root of the log of \(size)") }
    }

    /// Checks that the log of `old` leaves with root `oldRoot` is a prefix of the log of `new` leaves
    /// with root `newRoot`: nothing was removed, changed or reordered in between.
    public static func verifyConsistency(
        old: UInt64, new: UInt64, oldRoot: [UInt8], newRoot: [UInt8], proof: [[UInt8]]
    ) throws(TransparencyError) {
        guard old <= new else { throw .consistencyFailed("the log shrank from \(old) to \(new) entries") }
        if old == 0 { return }
        if old == new {
            guard proof.isEmpty, oldRoot == newRoot else {
                throw .consistencyFailed("two different roots for the same size \(old)")
            }
            return
        }
        var path = proof
        if MerkleHashing.isPowerOfTwo(old) { path.insert(oldRoot, at: 0) }
        guard let first = path.first else { throw .consistencyFailed("empty proof from \(old) to \(new)") }
        var fn = old - 1
        var sn = new - 1
        while fn & 1 == 1 {
            fn >>= 1
            sn >>= 1
        }
        var fr = first
        var sr = first
        for c in path.dropFirst() {
            guard sn != 0 else { throw .consistencyFailed("the proof from \(old) to \(new) has too many hashes") }
            if fn & 1 == 1 || fn == sn {
                fr = MerkleHashing.node(c, fr)
                sr = MerkleHashing.node(c, sr)
                while fn & 1 == 0 && fn != 0 {
                    fn >>= 1
                    sn >>= 1
                }
            } else {
                sr = MerkleHashing.node(sr, c)
            }
            fn >>= 1
            sn >>= 1
        }
        guard sn == 0 else { throw .consistencyFailed("the proof from \(old) to \(new) has too few hashes") }
        guard fr == oldRoot else { throw .consistencyFailed("the proof does not lead to the root of size \(old)") }
        guard sr == newRoot else { throw .consistencyFailed("the proof does not lead to the root of size \(new)") }
    }
}
