import Testing

@testable import LedgerProtocol

/// The log's tree, proofs and frontier against a textbook reading of RFC 9162 (recursion over the
/// leaves), for every size, index and pair of sizes up to 70, and against Certificate Transparency's
/// published roots.
@Suite struct MerkleTests {
    static let maxSize = 70
    static let leaves = (0..<maxSize).map { MerkleHashing.leaf(Array("leaf \($0)".utf8)) }
    static let tree = MemoryMerkleTree(leaves: leaves)

    // The RFC 9162 definitions, word for word, over leaf hashes.
    static func mth(_ d: ArraySlice<[UInt8]>) -> [UInt8] {
        if d.isEmpty { return Hashing.sha256([]) }
        if d.count == 1 { return d[d.startIndex] }
        var k = 1
        while k * 2 < d.count { k *= 2 }
        return Hashing.sha256([1] + mth(d.prefix(k)) + mth(d.dropFirst(k)))
    }

    static func path(_ m: Int, _ d: ArraySlice<[UInt8]>) -> [[UInt8]] {
        if d.count <= 1 { return [] }
        var k = 1
        while k * 2 < d.count { k *= 2 }
        return m < k ? path(m, d.prefix(k)) + [mth(d.dropFirst(k))] : path(m - k, d.dropFirst(k)) + [mth(d.prefix(k))]
    }

    static func subproof(_ m: Int, _ d: ArraySlice<[UInt8]>, _ b: Bool) -> [[UInt8]] {
        if m == d.count { return b ? [] : [mth(d)] }
        var k = 1
        while k * 2 < d.count { k *= 2 }
        return m <= k
            ? subproof(m, d.prefix(k), b) + [mth(d.dropFirst(k))] : subproof(m - k, d.dropFirst(k), false) + [mth(d.prefix(k))]
    }

    @Test func certificateTransparencyRoots() throws {
        // RFC 6962 reference test data (certificate-transparency's merkle tree tests): eight leaves.
        let data = ["", "00", "10", "2021", "3031", "40414243", "5051525354555657", "606162636465666768696a6b6c6d6e6f"]
        let roots = [
            "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d", "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
            "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77", "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
            "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4", "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
            "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c", "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
        ]
        var frontier = MerkleFrontier()
        for (d, root) in zip(data, roots) {
            frontier.append(MerkleHashing.leaf(try #require(Hex.decode(d))))
            #expect(Hex.encode(frontier.root) == root)
        }
        #expect(Hex.encode(MerkleFrontier().root) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    }

    @Test func rootsAndFrontiersMatchTheDefinition() throws {
        var frontier = MerkleFrontier()
        for n in 0...Self.maxSize {
            let expected = Self.mth(Self.leaves.prefix(n))
            #expect(try Self.tree.root(size: UInt64(n)) == expected, "root of \(n)")
            #expect(frontier.root == expected, "frontier root of \(n)")
            #expect(try MerkleFrontier(size: UInt64(n), from: Self.tree) == frontier, "frontier of \(n) read back")
            #expect(MerkleFrontier(size: UInt64(n), hashes: frontier.hashes) == frontier)
            if n < Self.maxSize { frontier.append(Self.leaves[n]) }
        }
        #expect(MerkleFrontier(size: 3, hashes: [Self.leaves[0]]) == nil, "size 3 needs two subtrees")
    }

    @Test func everyInclusionProofMatchesAndVerifies() throws {
        for n in 1...Self.maxSize {
            let root = Self.mth(Self.leaves.prefix(n))
            for m in 0..<n {
                let proof = try Self.tree.inclusionProof(index: UInt64(m), size: UInt64(n))
                #expect(proof == Self.path(m, Self.leaves.prefix(n)), "PATH(\(m), \(n))")
                try MerkleProofs.verifyInclusion(leaf: Self.leaves[m], index: UInt64(m), size: UInt64(n), proof: proof, root: root)
                // Any other leaf, index, size, or a changed or missing hash fails.
                #expect(throws: TransparencyError.self) {
                    try MerkleProofs.verifyInclusion(
                        leaf: Self.leaves[(m + 1) % Self.maxSize], index: UInt64(m), size: UInt64(n), proof: proof, root: root)
                }
                if n > 1 {
                    #expect(throws: TransparencyError.self) {
                        try MerkleProofs.verifyInclusion(leaf: Self.leaves[m], index: UInt64((m + 1) % n), size: UInt64(n), proof: proof, root: root)
                    }
                    #expect(throws: TransparencyError.self) {
                        try MerkleProofs.verifyInclusion(leaf: Self.leaves[m], index: UInt64(m), size: UInt64(n), proof: proof.dropLast(), root: root)
                    }
                    var bent = proof
                    bent[m % bent.count][0] ^= 1
                    #expect(throws: TransparencyError.self) {
                        try MerkleProofs.verifyInclusion(leaf: Self.leaves[m], index: UInt64(m), size: UInt64(n), proof: bent, root: root)
                    }
                }
            }
        }
        #expect(throws: TransparencyError.self) { try Self.tree.inclusionProof(index: 5, size: 5) }
    }

    @Test func everyConsistencyProofMatchesAndVerifies() throws {
        for n in 1...Self.maxSize {
            let newRoot = Self.mth(Self.leaves.prefix(n))
            for m in 1...n {
                let oldRoot = Self.mth(Self.leaves.prefix(m))
                let proof = try Self.tree.consistencyProof(old: UInt64(m), new: UInt64(n))
                #expect(proof == (m == n ? [] : Self.subproof(m, Self.leaves.prefix(n), true)), "PROOF(\(m), \(n))")
                try MerkleProofs.verifyConsistency(old: UInt64(m), new: UInt64(n), oldRoot: oldRoot, newRoot: newRoot, proof: proof)
                // A different old tree (one leaf changed) is not a prefix of the new one.
                var other = Array(Self.leaves.prefix(m))
                other[m - 1] = MerkleHashing.leaf([0xff])
                #expect(throws: TransparencyError.self) {
                    try MerkleProofs.verifyConsistency(old: UInt64(m), new: UInt64(n), oldRoot: Self.mth(other[...]), newRoot: newRoot, proof: proof)
                }
                if m < n {
                    var bent = proof
                    bent[(m + n) % bent.count][31] ^= 0x80
                    #expect(throws: TransparencyError.self) {
                        try MerkleProofs.verifyConsistency(old: UInt64(m), new: UInt64(n), oldRoot: oldRoot, newRoot: newRoot, proof: bent)
                    }
                    #expect(throws: TransparencyError.self) {
                        try MerkleProofs.verifyConsistency(
                            old: UInt64(m), new: UInt64(n), oldRoot: oldRoot, newRoot: newRoot, proof: proof.dropLast())
                    }
                    #expect(throws: TransparencyError.self) {
                        try MerkleProofs.verifyConsistency(old: UInt64(n), new: UInt64(m), oldRoot: newRoot, newRoot: oldRoot, proof: proof)
                    }
                }
            }
        }
        try MerkleProofs.verifyConsistency(old: 0, new: 9, oldRoot: MerkleHashing.emptyRoot, newRoot: Self.mth(Self.leaves.prefix(9)), proof: [])
    }
}
