import Foundation
import LedgerProtocol

/// protocol/vectors/transparency.json: a relay log of 21 events with every root, every inclusion and
/// consistency proof, signed checkpoints and proofs that must fail (SPEC 6.17). Fixed seeds and ids.
func transparencyVectors() throws -> [String: Any] {
    // A fixed 32-byte seed always yields a key.
    let relayKey = SigningKey(seed: [UInt8](repeating: 0x21, count: 32))!
    let team = Hashing.blake2b256(Array("transparency vectors team".utf8))
    let origin = Checkpoint.origin(team: team)
    let ids = (0..<21).map { Hashing.blake2b256(Array("event \($0)".utf8)) }
    let tree = MemoryMerkleTree(leaves: ids.map { MerkleHashing.leaf(event: $0) })
    let sizes = 0...UInt64(ids.count)
    func hexes(_ hashes: [[UInt8]]) -> [String] { hashes.map(Hex.encode) }
    let roots = try sizes.map { ["size": $0, "root": Hex.encode(try tree.root(size: $0))] as [String: Any] }
    let inclusion = try sizes.dropFirst().flatMap { n in
        try (0..<n).map { m in ["index": m, "size": n, "proof": hexes(try tree.inclusionProof(index: m, size: n))] as [String: Any] }
    }
    let consistency = try sizes.dropFirst().flatMap { n in
        try (1...n).map { m in ["old": m, "new": n, "proof": hexes(try tree.consistencyProof(old: m, new: n))] as [String: Any] }
    }
    let checkpoints = try [UInt64(0), 1, 8, 13, 21].map { n in
        let c = Checkpoint(origin: origin, size: n, root: try tree.root(size: n))
        return ["size": n, "text": c.text, "note": c.signed(with: relayKey).encoded] as [String: Any]
    }
    let good = try tree.inclusionProof(index: 5, size: 13)
    var bent = good
    bent[1][0] ^= 1
    let step = try tree.consistencyProof(old: 7, new: 21)
    let forged = Checkpoint(origin: origin, size: 21, root: try tree.root(size: 20)).signed(with: relayKey).encoded
        .replacingOccurrences(of: "\n21\n", with: "\n20\n")
    let failing: [[String: Any]] = [
        ["name": "inclusion with a changed hash", "kind": "inclusion", "index": 5, "size": 13, "proof": hexes(bent), "error": "inclusion_failed"],
        ["name": "inclusion at the wrong index", "kind": "inclusion", "index": 6, "size": 13, "proof": hexes(good), "error": "inclusion_failed"],
        [
            "name": "inclusion with a hash missing", "kind": "inclusion", "index": 5, "size": 13, "proof": hexes(good.dropLast()),
            "error": "inclusion_failed",
        ],
        ["name": "consistency to the wrong size", "kind": "consistency", "old": 7, "new": 20, "proof": hexes(step), "error": "consistency_failed"],
        [
            "name": "consistency with a hash missing", "kind": "consistency", "old": 7, "new": 21, "proof": hexes(step.dropLast()),
            "error": "consistency_failed",
        ],
        [
            "name": "consistency backwards (a rollback)", "kind": "consistency", "old": 21, "new": 7, "proof": hexes(step),
            "error": "consistency_failed",
        ],
        ["name": "checkpoint whose size was changed after signing", "kind": "checkpoint", "note": forged, "error": "bad_checkpoint_signature"],
    ]
    return [
        "format": "mledger transparency log test vectors, version 1",
        "note":
            "See protocol/SPEC.md 6.17. Leaf i is SHA-256(0x00 || event id i); nodes SHA-256(0x01 || left || right) (RFC 9162). Proofs are RFC 9162 PATH and PROOF; checkpoints are C2SP tlog-checkpoint signed notes (Ed25519, key name = origin). Failing cases name the error code.",
        "relay_key": [
            "seed": Hex.encode(relayKey.seed), "public_key": relayKey.publicKey.hex, "origin": origin,
            "verifier_key": SignedNote.verifierKey(name: origin, key: relayKey.publicKey),
        ],
        "team": team.hex,
        "events": ids.map(\.hex),
        "leaf_hashes": ids.map { Hex.encode(MerkleHashing.leaf(event: $0)) },
        "roots": roots, "inclusion": inclusion, "consistency": consistency, "checkpoints": checkpoints, "failing": failing,
    ]
}
