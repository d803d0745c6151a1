import LedgerProtocol

/// One leaf of the relay's log: its position, the ledger cursor (arrival row) of its event, and its hash.
public struct LogLeaf: Equatable, Sendable {
    public var position: UInt64
    public var cursor: Int64
    public var hash: [UInt8]

    public init(position: UInt64, cursor: Int64, hash: [UInt8]) {
        self.position = position
        self.cursor = cursor
        self.hash = hash
    }
}

/// Where a relay keeps its transparency log (SPEC 6.17): leaves at the positions they were given, the
/// full subtrees that answer proofs, the signed checkpoints, and the log key. SQLite implements it for a
/// single relay; relays that share one database (and one sequencer assigning positions) implement the
/// same seam, so every relay of a team serves one log under one key.
public protocol LogStorage: MerkleSubtrees, Sendable {
    /// The log key's 32-byte seed: `make` is called and its result kept only if none is stored yet.
    func keySeed(make: () -> [UInt8]) throws -> [UInt8]
    /// The number of leaves and the ledger cursor of the last one (0 when empty).
    func head() throws -> (size: UInt64, cursor: Int64)
    /// Appends leaves (positions continuing the log), the subtrees they complete (level 0 included, which
    /// a store may skip since the leaves carry their hashes), and the checkpoint note signed for the new
    /// size, all or nothing.
    func append(_ leaves: [LogLeaf], nodes: [MerkleNode], checkpoint: String) throws
    /// The position of the first leaf whose ledger cursor is at least `cursor`, if any.
    func firstPosition(from cursor: Int64) throws -> UInt64?
    /// The latest signed checkpoint note, if the log has one.
    func latestCheckpoint() throws -> String?
}
