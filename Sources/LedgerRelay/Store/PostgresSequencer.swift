import LedgerProtocol
import LedgerStore
import NIOCore
import PostgresNIO
import Synchronization

/// The one place that assigns arrival positions on PostgreSQL.
///
/// A push, its signatures checked in parallel outside any lock, is stored in one PostgreSQL transaction:
/// take the sequencer lock (`pg_advisory_xact_lock`, held until commit), copy into the local ledger what
/// other relays committed, then, chunk by chunk inside one SQLite transaction, run the chain, fork and
/// role checks and send the chunk's stored events to PostgreSQL at the next positions (PostgreSQL writes
/// one chunk while the relay checks the next); at the end commit PostgreSQL, then SQLite.
/// Positions are taken under a lock released only by the commit, so a pull cursor can never pass an
/// event that commits later. If the relay dies between the two commits, or gives up waiting for the
/// database between them, the local ledger copies those events from PostgreSQL on its next catch-up.
///
/// Every statement has a deadline (`SharedDatabase.rows`); waiting for the lock has a longer one,
/// as other relays' pushes hold it in turn.
extension PostgresRelayStore {
    static let lockSeconds: Double = 300

    public func ingest(_ next: @escaping @Sendable () -> [DecodedEvent]?) throws -> [LedgerID: Ledger.IngestResult] {
        try replicaWrites.withLock {
            try waitFor {
                try await withDeadline(seconds: Self.lockSeconds + 2 * SharedDatabase.statementSeconds, "the database") {
                    try await self.client.withConnection { try await self.sequenced(next, on: $0) }
                }
            }
        }
    }

    private func sequenced(
        _ next: @escaping @Sendable () -> [DecodedEvent]?, on connection: PostgresConnection
    ) async throws -> [LedgerID: Ledger.IngestResult] {
        let database = database
        try await database.execute("BEGIN", on: connection)
        var pending: PendingInserts?
        do {
            try await database.execute("SELECT pg_advisory_xact_lock(\(PostgresSchema.sequencerLock))", on: connection, seconds: Self.lockSeconds)
            try await copyMissing(on: connection)
            try Task.checkCancellation()
            let head = followed.withLock { $0 }
            let inserts = PendingInserts(after: head, on: connection, database: database)
            pending = inserts
            let ledger = ledger
            // On a thread of its own: the commit inside waits for the database (`waitFor`).
            let stored = try await onOwnThread { () throws -> (outcomes: [LedgerID: Ledger.IngestResult], through: Int64) in
                var through = head
                let outcomes = try ledger.ingest(
                    batches: next, signaturesVerified: true, enforceRoles: true,
                    afterEach: { _, _, new in
                        through = inserts.send(new)
                    },
                    afterwards: { db, _ in
                        try waitFor {
                            try await inserts.finish()
                            try await database.execute("COMMIT", on: connection)
                        }
                        try Ledger.setFollowedPosition(db, through)
                    })
                return (outcomes, through)
            }
            followed.withLock { $0 = max($0, stored.through) }
            return stored.outcomes
        } catch {
            // No insert may reach the connection after the rollback (it would run outside the transaction).
            await pending?.settle()
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

/// A push's inserts into PostgreSQL, sent as each chunk is stored locally and run one after another
/// on the push's connection and transaction, so PostgreSQL writes one chunk while the relay checks the next.
private final class PendingInserts: Sendable {
    private let connection: PostgresConnection
    private let database: SharedDatabase
    /// The last insert sent (each waits for the one before) and the position the events sent reach.
    private let state: Mutex<(last: Task<Void, Error>?, through: Int64)>

    init(after head: Int64, on connection: PostgresConnection, database: SharedDatabase) {
        self.connection = connection
        self.database = database
        state = Mutex((nil, head))
    }

    /// Sends events to the positions after those sent before; returns the position they reach.
    func send(_ events: [SignedEvent]) -> Int64 {
        state.withLock { state in
            let (previous, after) = state
            let (connection, database) = (connection, database)
            state.last = Task {
                try await previous?.value
                try await PostgresRelayStore.insert(events, after: after, on: connection, database: database)
            }
            state.through += Int64(events.count)
            return state.through
        }
    }

    /// Waits for every insert sent; throws the first failure.
    func finish() async throws {
        try await state.withLock { $0.last }?.value
    }

    /// Waits for every insert sent to end, failed or not.
    func settle() async {
        _ = await state.withLock { $0.last }?.result
    }
}
