import Foundation
import Testing

@testable import LedgerProtocol

/// Runs protocol/vectors/transparency.json (SPEC 6.17) through this implementation: the same file the
/// independent Python check reads.
@Suite struct TransparencyVectorTests {
    struct Document: Decodable {
        struct Key: Decodable {
            var seed: String
            var origin: String
        }
        struct Proof: Decodable {
            var index: UInt64?
            var size: UInt64?
            var old: UInt64?
            var new: UInt64?
            var proof: [String]?
        }
        struct Root: Decodable {
            var size: UInt64
            var root: String
        }
        struct Note: Decodable {
            var size: UInt64
            var note: String
        }
        struct Failing: Decodable {
            var name: String
            var kind: String
            var index: UInt64?
            var size: UInt64?
            var old: UInt64?
            var new: UInt64?
            var proof: [String]?
            var note: String?
            var error: String
        }
        var relayKey: Key
        var events: [String]
        var roots: [Root]
        var inclusion: [Proof]
        var consistency: [Proof]
        var checkpoints: [Note]
        var failing: [Failing]

        enum CodingKeys: String, CodingKey {
            case relayKey = "relay_key"
            case events, roots, inclusion, consistency, checkpoints, failing
        }
    }

    func hex(_ s: String) throws -> [UInt8] { try #require(Hex.decode(s)) }

    @Test func everyVectorHolds() throws {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../../protocol/vectors/transparency.json").standardizedFileURL
        let v = try JSONDecoder().decode(Document.self, from: Data(contentsOf: url))
        let key = try #require(SigningKey(seed: try hex(v.relayKey.seed)))
        let leaves = try v.events.map { MerkleHashing.leaf(event: try #require(LedgerID(hex: $0))) }
        let tree = MemoryMerkleTree(leaves: leaves)
        let roots = try Dictionary(uniqueKeysWithValues: v.roots.map { ($0.size, try hex($0.root)) })
        for (size, root) in roots { #expect(try tree.root(size: size) == root) }
        for c in v.inclusion {
            let (m, n) = (try #require(c.index), try #require(c.size))
            #expect(try tree.inclusionProof(index: m, size: n).map(Hex.encode) == c.proof)
        }
        for c in v.consistency {
            let (m, n) = (try #require(c.old), try #require(c.new))
            #expect(try tree.consistencyProof(old: m, new: n).map(Hex.encode) == c.proof)
        }
        for c in v.checkpoints {
            let (checkpoint, _) = try Checkpoint.verified(note: c.note, origin: v.relayKey.origin, key: key.publicKey)
            #expect(checkpoint.size == c.size && checkpoint.root == roots[c.size])
            #expect(Checkpoint(origin: v.relayKey.origin, size: c.size, root: checkpoint.root).signed(with: key).encoded == c.note)
        }
        for c in v.failing {
            let proof = try (c.proof ?? []).map { try hex($0) }
            let code = Self.code {
                switch c.kind {
                case "inclusion":
                    let m = c.index ?? 0
                    try MerkleProofs.verifyInclusion(leaf: leaves[Int(m)], index: m, size: c.size ?? 0, proof: proof, root: roots[c.size ?? 0] ?? [])
                case "consistency":
                    try MerkleProofs.verifyConsistency(
                        old: c.old ?? 0, new: c.new ?? 0, oldRoot: roots[c.old ?? 0] ?? [], newRoot: roots[c.new ?? 0] ?? [], proof: proof)
                default: _ = try Checkpoint.verified(note: c.note ?? "", origin: v.relayKey.origin, key: key.publicKey)
                }
            }
            #expect(code == c.error, "\(c.name)")
        }
    }

    static func code(_ body: () throws -> Void) -> String {
        do { try body() } catch let error as TransparencyError { return error.code } catch { return "other: \(error)" }
        return "accepted"
    }
}
