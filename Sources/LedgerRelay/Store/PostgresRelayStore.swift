import Foundation
import LedgerDashboard
import LedgerProtocol
import LedgerStore
import LedgerWebhooks
import Logging
import NIOCore
import PostgresNIO
import Synchronization

/// Several relays on one PostgreSQL: the database holds the shared truth (events in their arrival order,
/// request nonces, the relay id); each relay keeps a local SQLite ledger that follows the database's
/// arrival order, for chain and role checks and the dashboard. See `PostgresSequencer` for pushes.
public final class PostgresRelayStore: RelayStore {
    public let ledger: Ledger
    public var name: String { "postgres" }
    public var sessions: (any SessionBackend)? { PostgresSessions(database: database) }
    public func webhookStore() throws -> any WebhookStore { PostgresWebhookStore(database: database) }
    let database: SharedDatabase
    var client: PostgresClient { database.client }
    var logger: Logger { database.logger }
    /// Only one writer of the local ledger at a time in this process (pushes and catch-ups).
    let replicaWrites = NSLock()
    /// The database position the local ledger has copied up to (mirrors its `followed_position`).
    let followed: Mutex<Int64>
    private let nonceCount = Atomic<Int>(0)

    /// Connects, creates the tables if missing, and copies what the local ledger lacks.
    public init(address: DatabaseAddress, replica: Ledger, logger: Logger) async throws {
        database = try await SharedDatabase(address: address, logger: logger)
        ledger = replica
        followed = Mutex(try replica.followedPosition())
        try await catchUp()
    }

    public func relayID() async throws -> [UInt8] {
        try await database.sharedValue("relay_id", proposing: secureRandomBytes(32))
    }

    /// The log key's seed lives in the database, so every relay grows the same log from the same order
    /// and signs the same checkpoints. A relay whose own log was signed with another key (a data folder
    /// from elsewhere) must not serve it: its log is derived data, rebuilt from the ledger if removed.
    public func shareLogKey(with storage: any LogStorage) async throws {
        let shared = try await database.sharedValue("log_key_seed", proposing: SigningKey.generate().seed)
        guard try storage.keySeed(make: { shared }) == shared else { throw RelayStoreError.otherLogKey }
    }

    func head(on connection: PostgresConnection? = nil) async throws -> Int64 { try await database.head(on: connection) }

    public func catchUp() async throws {
        guard try await head() > followed.withLock({ $0 }) else { return }
        try await onOwnThread {
            try self.replicaWrites.withLock { try waitFor { try await self.copyMissing() } }
        }
    }

    /// Copies every committed event after the followed position into the local ledger, page by page.
    /// Committed positions are always 1...head with no gap (the sequencer commits before it lets the
    /// next writer in), so reading in position order misses nothing. Call with `replicaWrites` held.
    func copyMissing(on connection: PostgresConnection? = nil) async throws {
        while true {
            let from = followed.withLock { $0 }
            let query: PostgresQuery =
                "SELECT position, bytes, signature FROM mledger_events WHERE position > \(from) ORDER BY position LIMIT 5000"
            var events = [SignedEvent]()
            var last = from
            for row in try await database.rows(query, on: connection) {
                let (position, bytes, signature) = try row.decode((Int64, ByteBuffer, ByteBuffer).self)
                guard position == last + 1 else { throw RelayStoreError.diverged("position \(last + 1) is missing") }
                events.append(try SignedEvent(bytes: Array(buffer: bytes), signature: Array(buffer: signature), verifySignature: false))
                last = position
            }
            guard !events.isEmpty else { return }
            let ledger = ledger
            // Work given up on (`withDeadline`) may still get here late: it stores only committed events,
            // which is idempotent, and the followed position never moves back.
            try Task.checkCancellation()
            try await offload { [events, last] in try ledger.follow(events, through: last) }
            followed.withLock { $0 = max($0, last) }
        }
    }

    /// Nonces older than twice the signature window are forgotten now and then (their requests are
    /// refused by time anyway), so the table stays small without a delete on every request.
    public func acceptNonce(_ nonce: String, timeMs: UInt64, nowMs: UInt64) async throws -> Bool {
        if nonceCount.add(1, ordering: .relaxed).newValue % 256 == 0 {
            try await database.execute("DELETE FROM mledger_nonces WHERE time < \(RequestSignature.nonceHorizon(nowMs))")
        }
        let rows = try await database.rows(
            "INSERT INTO mledger_nonces (nonce, time) VALUES (\(nonce), \(Int64(timeMs))) ON CONFLICT DO NOTHING RETURNING 1")
        return !rows.isEmpty
    }

    public func eventCount() async throws -> Int { Int(try await head()) }

    /// Gives up after two seconds: while the server is down, the pool would otherwise keep retrying.
    public func ping() async throws {
        try await database.execute("SELECT 1", seconds: 2)
    }
}
