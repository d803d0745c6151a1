import Foundation
import LedgerProtocol
import LedgerStore
import LedgerWebhooks
import Logging
import NIOCore
import PostgresNIO

/// `mledger-relay migrate`: copies a SQLite relay's history into PostgreSQL, keeping every event at its
/// arrival position (its row in the SQLite store), so clients' pull cursors stay valid and they sync on
/// without pulling anything again. The source is verified first (ids, signatures, bodies, chains, as
/// `mledger verify` does). Pages commit one at a time under the sequencer lock, so a migration stopped
/// at any point resumes where it stopped; one that finds another history in the database refuses.
public enum PostgresMigration {
    public struct Report: Sendable {
        /// Events already in the database when this run started (a resumed migration).
        public var alreadyThere: Int64
        public var copied: Int
        /// The last position now in the database.
        public var last: Int64
        /// Subscriptions copied (not those there already).
        public var webhooks: Int
    }

    /// `logKeySeed`: the source relay's transparency log key, kept for the relays on the database so
    /// members' pinned log key and the log itself (rebuilt from the same order) carry on. `webhooks`:
    /// the source relay's subscriptions, which carry on from their cursors (positions do not change).
    public static func run(
        from source: Ledger, logKeySeed: [UInt8]? = nil, webhooks: (any WebhookStore)? = nil, to address: DatabaseAddress, logger: Logger,
        pageSize: Int = 5000, progress: @Sendable (Int64) -> Void = { _ in }
    ) async throws -> Report {
        let report = try await offload { try source.verify(projections: false) }
        if let problem = report.problems.first {
            throw MigrationError.invalidSource("event \(problem.event) (row \(problem.row)) failed verification: \(problem.message)")
        }
        let database = try await SharedDatabase(address: address, logger: logger)
        if let relayID = try source.storedRelayID() {
            // Clients sign requests for the relay id; keeping it lets them go on as before.
            _ = try await database.sharedValue("relay_id", proposing: relayID)
        }
        if let logKeySeed { _ = try await database.sharedValue("log_key_seed", proposing: logKeySeed) }
        let start = try await database.head()
        if start > 0 {
            let mine = try await offload { try source.storedEvents(after: start - 1, limit: 1) }.first
            let theirs = try await database.id(at: start)
            guard let mine, mine.position == start, mine.event.id.bytes == theirs else {
                throw MigrationError.otherHistory(address.shown)
            }
        }
        var head = start
        while true {
            let page = try await offload { [head] in try source.storedEvents(after: head, limit: pageSize) }
            guard let last = page.last else { break }
            for (offset, arrival) in page.enumerated() where arrival.position != head + 1 + Int64(offset) {
                throw MigrationError.invalidSource("row \(head + 1 + Int64(offset)) is missing from the source's arrival order")
            }
            try await database.client.withTransaction(logger: logger) { [head] connection in
                try await database.execute(
                    "SELECT pg_advisory_xact_lock(\(PostgresSchema.sequencerLock))", on: connection, seconds: PostgresRelayStore.lockSeconds)
                guard try await database.head(on: connection) == head else { throw MigrationError.concurrentWriter }
                try await PostgresRelayStore.insert(page.map(\.event), after: head, on: connection, database: database)
            }
            head = last.position
            progress(head)
        }
        // The source now holds exactly the database's history: a relay started on its folder with the
        // database has a complete copy from the start.
        if head == (try source.lastArrival()) { try source.markFollowed(through: head) }
        var adopted = 0
        if let webhooks {
            let target = PostgresWebhookStore(database: database)
            for subscription in try await offload({ try webhooks.subscriptions() }) {
                let log = try await offload { try webhooks.deliveries(webhook: subscription.id, limit: Int(Int32.max)) }
                if try await target.adopt(subscription, log: log) { adopted += 1 }
            }
        }
        return Report(alreadyThere: start, copied: Int(head - start), last: head, webhooks: adopted)
    }
}

/// Why a migration stopped, each saying what to do.
public enum MigrationError: Error, Sendable, CustomStringConvertible {
    case invalidSource(String)
    case otherHistory(String)
    case concurrentWriter

    public var description: String {
        switch self {
        case .invalidSource(let why): "the source relay's store is not sound: \(why); restore its data folder from a backup, then migrate again"
        case .otherHistory(let address):
            "\(address) already holds a different history: migrate into an empty database (createdb), or resume with the same --from folder"
        case .concurrentWriter:
            "something else wrote to the database during the migration: stop every relay using it, then run migrate again (it resumes)"
        }
    }
}
