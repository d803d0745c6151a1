import Foundation
import LedgerProtocol
import Testing

@testable import LedgerRelay

/// The SQLite log storage answers every root and proof exactly as the in-memory reference tree does,
/// whatever the batch sizes its leaves arrived in, and keeps its key and head across a reopen.
@Suite struct LogStorageTests {
    @Test func storedSubtreesGiveTheReferenceRootsAndProofs() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("tlog-\(UUID().uuidString).sqlite").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let storage = try SQLiteLogStorage(path: path)
        let seed = try storage.keySeed { [UInt8](repeating: 5, count: 32) }
        var frontier = MerkleFrontier()
        var reference = MemoryMerkleTree()
        var sizes = [1, 2, 3, 7, 1, 16, 5, 30, 2]
        while let batch = sizes.first {
            sizes.removeFirst()
            var leaves = [LogLeaf]()
            var nodes = [MerkleNode]()
            for _ in 0..<batch {
                let hash = MerkleHashing.leaf(Array("leaf \(frontier.size)".utf8))
                leaves.append(LogLeaf(position: frontier.size, cursor: Int64(frontier.size) * 3 + 1, hash: hash))
                nodes += frontier.append(hash)
                reference.append(hash)
            }
            try storage.append(leaves, nodes: nodes, checkpoint: "note of \(frontier.size)\n")
        }
        let size = reference.size
        #expect(try storage.head() == (size, Int64(size - 1) * 3 + 1))
        #expect(try storage.latestCheckpoint() == "note of \(size)\n")
        for n in 1...size {
            #expect(try storage.root(size: n) == reference.root(size: n))
            for m in 0..<n { #expect(try storage.inclusionProof(index: m, size: n) == reference.inclusionProof(index: m, size: n)) }
            for m in 1...n { #expect(try storage.consistencyProof(old: m, new: n) == reference.consistencyProof(old: m, new: n)) }
        }
        #expect(try storage.firstPosition(from: 5) == 2)
        #expect(try storage.firstPosition(from: Int64(size) * 3 + 10) == nil)
        // Reopened: the same key, the same head and frontier.
        let again = try SQLiteLogStorage(path: path)
        #expect(try again.keySeed { [UInt8](repeating: 9, count: 32) } == seed)
        #expect(try MerkleFrontier(size: size, from: again) == frontier)
    }
}
