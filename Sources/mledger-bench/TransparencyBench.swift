import Foundation
import LedgerProtocol
import LedgerRelay
import LedgerStore

/// The transparency log (SPEC 6.17): what a client spends per sync on the checkpoint and its proofs with
/// a million events in the log, and what keeping the tree costs the relay next to storing the events.
func runTransparencyBench(in temp: URL) throws {
    print("Transparency log (SQLite log storage, in process):")

    // Keeping the tree: the relay's ingest of a prepared log, then the log's catch-up over the same events.
    let ingestCount = scaled(100_000)
    let (source, _) = try benchTeam(at: temp.appendingPathComponent("tlog-source.sqlite").path, events: ingestCount)
    let events = try source.events(beyond: [:], limit: Int.max, maxBytes: Int.max).events
    let relayData = temp.appendingPathComponent("tlog-relay")
    try FileManager.default.createDirectory(at: relayData, withIntermediateDirectories: true)
    let relayLedger = try Ledger(path: relayData.appendingPathComponent("relay.sqlite").path, cacheMiB: 16)
    let ingest = try seconds { _ = try relayLedger.ingest(events, enforceRoles: true) }
    let log = try TransparencyLog(storage: try SQLiteLogStorage(path: relayData.appendingPathComponent("transparency.sqlite").path))
    let team = try relayLedger.team()!
    let keeping = try seconds { try log.catchUp(ledger: relayLedger, team: team) }
    report("relay ingest (verify, store, project)", events.count, "events", ingest)
    report("log catch-up (hash, store subtrees, sign)", events.count, "events", keeping)
    let share = ingest / (ingest + keeping)
    print(
        "  ingest with the log, as a share of ingest without it: \(String(format: "%.1f%%", share * 100))  [target >= 90%: \(share >= 0.9 ? "met" : "MISSED")]"
    )

    // A log of a million leaves (ids of no real event: the tree does not look inside them).
    let size = UInt64(scaled(1_000_000))
    let storage = try SQLiteLogStorage(path: temp.appendingPathComponent("tlog-million.sqlite").path)
    let key = SigningKey(seed: [UInt8](repeating: 0x33, count: 32))!
    let origin = Checkpoint.origin(team: team)
    var frontier = MerkleFrontier()
    let build = try seconds {
        var position: UInt64 = 0
        while position < size {
            let end = min(position + 10_000, size)
            var leaves = [LogLeaf]()
            var nodes = [MerkleNode]()
            for p in position..<end {
                let id = Hashing.blake2b256(Array("leaf \(p)".utf8))
                let hash = MerkleHashing.leaf(event: id)
                leaves.append(LogLeaf(position: p, cursor: Int64(p + 1), hash: hash))
                nodes += frontier.append(hash)
            }
            let note = Checkpoint(origin: origin, size: frontier.size, root: frontier.root).signed(with: key).encoded
            try storage.append(leaves, nodes: nodes, checkpoint: note)
            position = end
        }
    }
    report("log of \(size) leaves built in batches of 10,000", Int(size), "leaves", build)

    // One sync that brings 1,000 new events: the checkpoint, a consistency proof from the last one
    // accepted, and one inclusion receipt (per pushed event).
    let old = size > 1000 ? size - 1000 : 1
    let oldRoot = try storage.root(size: old)
    let note = try storage.latestCheckpoint()!
    var consistency = [[UInt8]]()
    var inclusion = [[UInt8]]()
    let reps = 1000
    let serve = try seconds {
        for _ in 0..<reps {
            consistency = try storage.consistencyProof(old: old, new: size)
            inclusion = try storage.inclusionProof(index: old - 1, size: size)
        }
    }
    let vkey = SignedNote.verifierKey(name: origin, key: key.publicKey)
    let check = try seconds {
        for _ in 0..<reps {
            let (name, publicKey) = try SignedNote.parseVerifierKey(vkey)
            let (checkpoint, _) = try Checkpoint.verified(note: note, origin: name, key: publicKey)
            try MerkleProofs.verifyConsistency(old: old, new: checkpoint.size, oldRoot: oldRoot, newRoot: checkpoint.root, proof: consistency)
            let leaf = MerkleHashing.leaf(event: Hashing.blake2b256(Array("leaf \(old - 1)".utf8)))
            try MerkleProofs.verifyInclusion(leaf: leaf, index: old - 1, size: size, proof: inclusion, root: checkpoint.root)
        }
    }
    // As the endpoints send them: the note as text, each proof as JSON with hex hashes.
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys]
    let consistencyBytes = try encoder.encode(LogProof(old: old, new: size, proof: consistency)).count
    let receiptBytes = try encoder.encode(LogProof(id: .zero, index: old - 1, size: size, proof: inclusion)).count
    let bytes = note.utf8.count + consistencyBytes
    let perSync = check / Double(reps) * 1000
    print(
        "  per sync at \(size) events (\(size - old) new): checkpoint \(note.utf8.count) B + consistency proof (\(consistency.count) hashes) \(consistencyBytes) B = \(bytes) B  [target < 2048 B: \(bytes < 2048 ? "met" : "MISSED")]; each pushed event's receipt (\(inclusion.count) hashes) \(receiptBytes) B more"
    )
    print(
        "  client check per sync (signature, consistency, one receipt): \(String(format: "%.3f ms", perSync))  [target < 5 ms: \(perSync < 5 ? "met" : "MISSED")]; relay answers both proofs in \(String(format: "%.3f ms", serve / Double(reps) * 1000))"
    )

    // Each other member's cosignature (SPEC 6.18): one pushed right after its checkpoint sits at that size
    // in the log and is held to the root of the pulled leaves there, with no request; one that does not
    // costs a consistency proof like the checkpoint's.
    var root = [UInt8]()
    let local = try seconds { for _ in 0..<reps { root = frontier.root } }
    let theirs = Checkpoint(origin: origin, size: frontier.size, root: root)
    let cosigned = try seconds {
        for _ in 0..<reps { try MerkleProofs.verifyConsistency(old: old, new: size, oldRoot: oldRoot, newRoot: theirs.root, proof: consistency) }
    }
    print(
        "  each other member's cosignature: at its own size 0 B, \(String(format: "%.1f µs", local / Double(reps) * 1e6)) (root of the pulled leaves); elsewhere one consistency proof, \(consistencyBytes) B, \(String(format: "%.3f ms", cosigned / Double(reps) * 1000)) to check"
    )
}
