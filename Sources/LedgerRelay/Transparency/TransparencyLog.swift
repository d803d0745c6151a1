import Foundation
import LedgerProtocol
import LedgerStore

/// The relay's transparency log (SPEC 6.17): its arrival order as a Merkle log, grown from the ledger's
/// events in the order they were stored and signed with the log key after each growth. The log follows
/// the ledger rather than the other way round, so a crash between the two loses nothing: the next
/// catch-up appends what the ledger stored since.
public final class TransparencyLog: @unchecked Sendable {
    public let storage: any LogStorage
    public let key: SigningKey
    private let lock = NSLock()
    /// The log's right edge, read from storage on first use; guarded by `lock`.
    private var frontier: MerkleFrontier?
    private var cursor: Int64 = 0

    public init(storage: any LogStorage) throws {
        self.storage = storage
        let seed = try storage.keySeed { SigningKey.generate().seed }
        guard let key = SigningKey(seed: seed) else { throw TransparencyError.storage("the stored log key seed is not 32 bytes") }
        self.key = key
    }

    /// Appends every event the ledger stored since the last catch-up and signs a checkpoint of the new
    /// size; returns the log's size and the ledger cursor it covers. Serialized: one growth at a time.
    @discardableResult
    public func catchUp(ledger: Ledger, team: LedgerID) throws -> (size: UInt64, cursor: Int64) {
        lock.lock()
        defer { lock.unlock() }
        var edge = try loadedFrontier()
        while true {
            let rows = try ledger.eventIDs(after: cursor, limit: 10_000)
            guard let lastRow = rows.last else { break }
            var leaves = [LogLeaf]()
            var nodes = [MerkleNode]()
            for (row, id) in rows {
                let hash = MerkleHashing.leaf(event: id)
                leaves.append(LogLeaf(position: edge.size, cursor: row, hash: hash))
                nodes += edge.append(hash)
            }
            let checkpoint = Checkpoint(origin: Checkpoint.origin(team: team), size: edge.size, root: edge.root)
            try storage.append(leaves, nodes: nodes, checkpoint: checkpoint.signed(with: key).encoded)
            frontier = edge
            cursor = lastRow.row
        }
        return (edge.size, cursor)
    }

    private func loadedFrontier() throws -> MerkleFrontier {
        if let frontier { return frontier }
        let head = try storage.head()
        let loaded = try MerkleFrontier(size: head.size, from: storage)
        frontier = loaded
        cursor = head.cursor
        return loaded
    }

    /// Where the event `id` is in the log, if the ledger holds it and the log has caught up with it.
    public func position(of id: LedgerID, ledger: Ledger) throws -> UInt64? {
        guard let row = try ledger.arrivalRow(of: id), let position = try storage.firstPosition(from: row) else { return nil }
        return row <= cursorCovered() ? position : nil
    }

    private func cursorCovered() -> Int64 {
        lock.lock()
        defer { lock.unlock() }
        return cursor
    }

    /// The latest checkpoint, signed; the empty log's when nothing was logged yet.
    public func latestCheckpoint(team: LedgerID) throws -> String {
        try storage.latestCheckpoint()
            ?? Checkpoint(origin: Checkpoint.origin(team: team), size: 0, root: MerkleHashing.emptyRoot).signed(with: key).encoded
    }

    /// The verifier key clients pin (c2sp.org/signed-note).
    public func verifierKey(team: LedgerID) -> String { SignedNote.verifierKey(name: Checkpoint.origin(team: team), key: key.publicKey) }
}
