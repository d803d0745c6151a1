import LedgerProtocol
import LedgerStore
import NIOCore
import PostgresNIO

/// The one place that assigns arrival positions on PostgreSQL (the seam where a Merkle log over the
/// arrival order would append, under the same lock).
///
/// A push, its signatures already checked in parallel outside any lock, is stored in one PostgreSQL
/// transaction: take the sequencer lock (`pg_advisory_xact_lock`, held until commit), copy into the
/// local ledger what other relays committed, run the chain, fork and role checks there (inside an SQLite
/// transaction), insert the stored events at the next positions, commit PostgreSQL, then commit SQLite.
/// Positions are taken under a lock released only by the commit, so a pull cursor can never pass an
/// event that commits later. If the relay dies between the two commits, or gives up waiting for the
/// database between them, the local ledger copies those events from PostgreSQL on its next catch-up.
///
/// Every statement has a deadline (`SharedDatabase.rows`); waiting for the lock has a longer one,
/// as other relays' pushes hold it in turn.
extension PostgresRelayStore {
    static let lockSeconds: Double = 300

    public func ingest(_ events: [DecodedEvent]) throws -> [LedgerID: Ledger.IngestResult] {
        try replicaWrites.withLock {
            try waitFor {
                try await withDeadline(seconds: Self.lockSeconds + 2 * SharedDatabase.statementSeconds, "the database") {
                    try await self.client.withConnection { try await self.sequenced(events, on: $0) }
                }
            }
        }
    }

    private func sequenced(_ events: [DecodedEvent], on connection: PostgresConnection) async throws -> [LedgerID: Ledger.IngestResult] {
        let database = database
        try await database.execute("BEGIN", on: connection)
        do {
            try await database.execute("SELECT pg_advisory_xact_lock(\(PostgresSchema.sequencerLock))", on: connection, seconds: Self.lockSeconds)
            try await copyMissing(on: connection)
            try Task.checkCancellation()
            let head = followed.withLock { $0 }
            let ledger = ledger
            let before = try ledger.lastArrival()
            let stored = StoredCount()
            let outcomes = try await offload {
                try ledger.ingest(decoded: events, signaturesVerified: true, enforceRoles: true) { db, _ in
                    let new = try Ledger.stored(db, after: before)
                    try waitFor {
                        try await Self.insert(new, after: head, on: connection, database: database)
                        try await database.execute("COMMIT", on: connection)
                    }
                    stored.value = new.count
                    try Ledger.setFollowedPosition(db, head + Int64(new.count))
                }
            }
            followed.withLock { $0 = max($0, head + Int64(stored.value)) }
            return outcomes
        } catch {
            // After a failed COMMIT this only ends the connection's aborted state.
            try? await database.execute("ROLLBACK", on: connection)
            throw error
        }
    }

    /// Inserts events at positions `after + 1`, `after + 2`, ... in one statement.
    static func insert(_ events: [SignedEvent], after head: Int64, on connection: PostgresConnection, database: SharedDatabase) async throws {
        guard !events.isEmpty else { return }
        let positions = (1...Int64(events.count)).map { head + $0 }
        let ids = events.map { ByteBuffer(bytes: $0.id.bytes) }
        let authors = events.map { ByteBuffer(bytes: $0.envelope.author.bytes) }
        let seqs = events.map { Int64(bitPattern: $0.envelope.seq) }
        let bytes = events.map { ByteBuffer(bytes: $0.bytes) }
        let signatures = events.map { ByteBuffer(bytes: $0.signature) }
        try await database.execute(
            """
            INSERT INTO mledger_events (position, id, author, seq, bytes, signature)
            SELECT * FROM unnest(\(positions)::BIGINT[], \(ids)::BYTEA[], \(authors)::BYTEA[], \(seqs)::BIGINT[],
                \(bytes)::BYTEA[], \(signatures)::BYTEA[])
            """, on: connection)
    }
}

/// How many events the SQLite transaction stored, set inside it and read after it committed.
private final class StoredCount: @unchecked Sendable {
    var value = 0
}
