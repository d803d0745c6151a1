import Foundation
import GRDB
import LedgerProtocol
import LedgerStore

/// Subscriptions, their cursors and the delivery log, in a SQLite file of their own beside the ledger
/// (`webhooks.sqlite`): this is server state, not signed history, and has its own migrations. A cursor
/// moves only in the transaction that records a delivery, so a crash at any point makes the worker send
/// that event again, with the same delivery id. One process delivers from a file, so every claim holds.
public final class SQLiteWebhookStore: WebhookStore {
    let queue: DatabaseQueue

    public init(path: String) throws(WebhookError) {
        do {
            queue = try SideDatabase.open(path: path)
            try Self.migrator().migrate(queue)
        } catch {
            throw .store("\(path): \(error)")
        }
    }

    static func migrator() -> DatabaseMigrator {
        var m = DatabaseMigrator()
        m.registerMigration("webhooks-v1") { db in
            try db.execute(
                sql: """
                    CREATE TABLE subscriptions (
                        id TEXT PRIMARY KEY, name TEXT NOT NULL, url TEXT NOT NULL, events TEXT NOT NULL, description TEXT,
                        active INTEGER NOT NULL, secret TEXT NOT NULL, created_ms INTEGER NOT NULL, updated_ms INTEGER NOT NULL,
                        created_by TEXT, cursor INTEGER NOT NULL, failures INTEGER NOT NULL DEFAULT 0,
                        next_attempt_ms INTEGER NOT NULL DEFAULT 0);
                    CREATE TABLE deliveries (
                        delivery_id TEXT PRIMARY KEY, webhook TEXT NOT NULL, event TEXT NOT NULL, event_id TEXT NOT NULL,
                        position INTEGER NOT NULL, attempts INTEGER NOT NULL, delivered INTEGER NOT NULL, response_status INTEGER,
                        error TEXT, first_attempt_ms INTEGER NOT NULL, last_attempt_ms INTEGER NOT NULL);
                    CREATE INDEX deliveries_by_webhook ON deliveries(webhook, position);
                    """)
        }
        return m
    }

    private func write<T>(_ body: (Database) throws -> T) throws(WebhookError) -> T {
        do { return try queue.write(body) } catch let error as WebhookError { throw error } catch { throw .store("\(error)") }
    }

    private func read<T>(_ body: (Database) throws -> T) throws(WebhookError) -> T {
        do { return try queue.read(body) } catch let error as WebhookError { throw error } catch { throw .store("\(error)") }
    }

    // MARK: Subscriptions

    public func add(_ s: Subscription) throws(WebhookError) {
        try write { db in
            try db.execute(
                sql: """
                    INSERT INTO subscriptions (id, name, url, events, description, active, secret, created_ms, updated_ms, created_by, cursor)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    s.id, s.name, s.url, s.eventNames, s.description, s.active, s.secret, s.createdMs, s.updatedMs,
                    s.createdBy, s.cursor,
                ])
        }
    }

    /// Replaces what can change (name, URL, events, description, status, secret); the cursor stays.
    public func update(_ s: Subscription, nowMs: Int64) throws(WebhookError) {
        try write { db in
            try db.execute(
                sql: "UPDATE subscriptions SET name = ?, url = ?, events = ?, description = ?, active = ?, secret = ?, updated_ms = ? WHERE id = ?",
                arguments: [s.name, s.url, s.eventNames, s.description, s.active, s.secret, nowMs, s.id])
            guard db.changesCount == 1 else { throw WebhookError.notFound(s.id) }
        }
    }

    public func remove(_ id: String) throws(WebhookError) {
        try write { db in
            try db.execute(sql: "DELETE FROM subscriptions WHERE id = ?", arguments: [id])
            guard db.changesCount == 1 else { throw WebhookError.notFound(id) }
        }
    }

    public func subscriptions() throws(WebhookError) -> [Subscription] {
        try read { db in try Row.fetchAll(db, sql: "SELECT * FROM subscriptions ORDER BY created_ms, id").map(Self.subscription) }
    }

    public func subscription(_ id: String) throws(WebhookError) -> Subscription {
        guard let row = try read({ db in try Row.fetchOne(db, sql: "SELECT * FROM subscriptions WHERE id = ?", arguments: [id]) }) else {
            throw .notFound(id)
        }
        return Self.subscription(row)
    }

    private static func subscription(_ row: Row) -> Subscription {
        .stored(
            id: row["id"], name: row["name"], url: row["url"], eventNames: row["events"], description: row["description"], active: row["active"],
            secret: row["secret"], createdMs: row["created_ms"], updatedMs: row["updated_ms"], createdBy: row["created_by"], cursor: row["cursor"],
            failures: row["failures"], nextAttemptMs: row["next_attempt_ms"])
    }

    // MARK: Delivery state

    /// Nothing to deliver up to `position`: the cursor moves past events of other kinds.
    public func skip(_ webhook: String, to position: Int64) throws(WebhookError) {
        try write { db in
            try db.execute(sql: "UPDATE subscriptions SET cursor = max(cursor, ?) WHERE id = ?", arguments: [position, webhook])
        }
    }

    /// Logs an attempt at `delivery`; a success moves the cursor to it and clears the failures, a failure
    /// counts one more and sets when to try again.
    public func record(_ delivery: Delivery, result: AttemptResult, nowMs: Int64, backoff: Backoff) throws(WebhookError) {
        try write { db in
            try db.execute(
                sql: """
                    INSERT INTO deliveries (delivery_id, webhook, event, event_id, position, attempts, delivered, response_status, error,
                        first_attempt_ms, last_attempt_ms)
                    VALUES (?, ?, ?, ?, ?, 1, ?, ?, ?, ?, ?)
                    ON CONFLICT (delivery_id) DO UPDATE SET attempts = attempts + 1, delivered = excluded.delivered,
                        response_status = excluded.response_status, error = excluded.error, last_attempt_ms = excluded.last_attempt_ms
                    """,
                arguments: [
                    delivery.deliveryID, delivery.webhook, delivery.event, delivery.eventID, delivery.position, result.success,
                    result.responseStatus, result.errorMessage, nowMs, nowMs,
                ])
            if result.success {
                try db.execute(
                    sql: "UPDATE subscriptions SET cursor = max(cursor, ?), failures = 0, next_attempt_ms = 0 WHERE id = ?",
                    arguments: [delivery.position, delivery.webhook])
            } else {
                let failures = (try Int.fetchOne(db, sql: "SELECT failures FROM subscriptions WHERE id = ?", arguments: [delivery.webhook]) ?? 0) + 1
                try db.execute(
                    sql: "UPDATE subscriptions SET failures = ?, next_attempt_ms = ? WHERE id = ?",
                    arguments: [failures, nowMs + backoff.delayMs(afterFailures: failures), delivery.webhook])
            }
        }
    }

    /// The delivery log, newest first; of one subscription when `webhook` is given.
    public func deliveries(webhook: String?, limit: Int) throws(WebhookError) -> [Delivery] {
        try read { db in
            let filter = webhook == nil ? "" : "WHERE webhook = ?"
            let arguments: StatementArguments = webhook.map { [$0, limit] } ?? [limit]
            return try Row.fetchAll(
                db, sql: "SELECT * FROM deliveries \(filter) ORDER BY last_attempt_ms DESC, position DESC LIMIT ?", arguments: arguments
            ).map { row in
                Delivery(
                    deliveryID: row["delivery_id"], webhook: row["webhook"], event: row["event"], eventID: row["event_id"], position: row["position"],
                    attempts: row["attempts"], delivered: row["delivered"], responseStatus: row["response_status"], error: row["error"],
                    firstAttemptMs: row["first_attempt_ms"], lastAttemptMs: row["last_attempt_ms"])
            }
        }
    }

    public func claim(_ id: String, holder: String, nowMs: Int64, leaseMs: Int64) throws(WebhookError) -> Bool { true }
}
