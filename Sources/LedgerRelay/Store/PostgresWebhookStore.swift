import LedgerWebhooks
import PostgresNIO

/// Webhook subscriptions, their cursors and the delivery log in the shared database, so a subscription
/// made through one relay is listed, changed and delivered through any. Cursors count the shared arrival
/// order, which every relay's local copy keeps row for row. Each subscription is delivered by one relay
/// at a time: the one holding its lease (`claim`); if that relay dies, another takes over once it expires.
struct PostgresWebhookStore: WebhookStore {
    let database: SharedDatabase

    /// Runs the store's statements from a blocking caller (the store's calls are synchronous).
    private func blocking<T: Sendable>(_ work: @escaping @Sendable (SharedDatabase) async throws -> T) throws(WebhookError) -> T {
        let database = database
        do {
            return try waitFor { try await work(database) }
        } catch let error as WebhookError {
            throw error
        } catch {
            throw .store(String(describing: error))
        }
    }

    func add(_ s: Subscription) throws(WebhookError) {
        try blocking { database in try await database.execute(Self.insert(s)) }
    }

    /// Inserts every stored field of `s` (a new one's failures and next attempt are 0); with `ifAbsent`,
    /// nothing where one with its id is there, and no row comes back.
    private static func insert(_ s: Subscription, ifAbsent: Bool = false) -> PostgresQuery {
        """
        INSERT INTO mledger_webhooks (\(unescaped: columns))
        VALUES (\(s.id), \(s.name), \(s.url), \(s.eventNames), \(s.description), \(s.active), \(s.secret), \(s.createdMs),
            \(s.updatedMs), \(s.createdBy), \(s.cursor), \(Int64(s.failures)), \(s.nextAttemptMs))
        \(unescaped: ifAbsent ? "ON CONFLICT (id) DO NOTHING" : "") RETURNING 1
        """
    }

    func update(_ s: Subscription, nowMs: Int64) throws(WebhookError) {
        try blocking { database in
            let rows = try await database.rows(
                """
                UPDATE mledger_webhooks SET name = \(s.name), url = \(s.url), events = \(s.eventNames),
                    description = \(s.description), active = \(s.active), secret = \(s.secret), updated_ms = \(nowMs)
                WHERE id = \(s.id) RETURNING 1
                """)
            guard !rows.isEmpty else { throw WebhookError.notFound(s.id) }
        }
    }

    func remove(_ id: String) throws(WebhookError) {
        try blocking { database in
            guard try await !database.rows("DELETE FROM mledger_webhooks WHERE id = \(id) RETURNING 1").isEmpty else {
                throw WebhookError.notFound(id)
            }
        }
    }

    func subscriptions() throws(WebhookError) -> [Subscription] {
        try blocking { database in
            try await database.rows("SELECT \(unescaped: Self.columns) FROM mledger_webhooks ORDER BY created_ms, id").map(Self.subscription)
        }
    }

    func subscription(_ id: String) throws(WebhookError) -> Subscription {
        try blocking { database in
            guard let row = try await database.rows("SELECT \(unescaped: Self.columns) FROM mledger_webhooks WHERE id = \(id)").first else {
                throw WebhookError.notFound(id)
            }
            return try Self.subscription(row)
        }
    }

    func skip(_ webhook: String, to position: Int64) throws(WebhookError) {
        try blocking { database in
            try await database.execute("UPDATE mledger_webhooks SET cursor = greatest(cursor, \(position)) WHERE id = \(webhook)")
        }
    }

    func record(_ delivery: Delivery, result: AttemptResult, nowMs: Int64, backoff: Backoff) throws(WebhookError) {
        try blocking { database in
            try await database.client.withTransaction(logger: database.logger) { connection in
                try await database.execute(
                    """
                    INSERT INTO mledger_webhook_deliveries (delivery_id, webhook, event, event_id, position, attempts, delivered,
                        response_status, error, first_attempt_ms, last_attempt_ms)
                    VALUES (\(delivery.deliveryID), \(delivery.webhook), \(delivery.event), \(delivery.eventID), \(delivery.position), 1,
                        \(result.success), \(result.responseStatus), \(result.errorMessage), \(nowMs), \(nowMs))
                    ON CONFLICT (delivery_id) DO UPDATE SET attempts = mledger_webhook_deliveries.attempts + 1,
                        delivered = excluded.delivered, response_status = excluded.response_status, error = excluded.error,
                        last_attempt_ms = excluded.last_attempt_ms
                    """, on: connection)
                if result.success {
                    try await database.execute(
                        """
                        UPDATE mledger_webhooks SET cursor = greatest(cursor, \(delivery.position)), failures = 0, next_attempt_ms = 0
                        WHERE id = \(delivery.webhook)
                        """, on: connection)
                } else {
                    let rows = try await database.rows(
                        "SELECT failures FROM mledger_webhooks WHERE id = \(delivery.webhook) FOR UPDATE", on: connection)
                    let failures = Int(try rows.first?.decode(Int64.self) ?? 0) + 1
                    try await database.execute(
                        """
                        UPDATE mledger_webhooks SET failures = \(Int64(failures)),
                            next_attempt_ms = \(nowMs + backoff.delayMs(afterFailures: failures)) WHERE id = \(delivery.webhook)
                        """, on: connection)
                }
            }
        }
    }

    func deliveries(webhook: String?, limit: Int) throws(WebhookError) -> [Delivery] {
        try blocking { database in
            let rows = try await database.rows(
                """
                SELECT delivery_id, webhook, event, event_id, position, attempts, delivered, response_status, error, first_attempt_ms,
                    last_attempt_ms
                FROM mledger_webhook_deliveries WHERE \(webhook)::TEXT IS NULL OR webhook = \(webhook)
                ORDER BY last_attempt_ms DESC, position DESC LIMIT \(Int64(limit))
                """)
            return try rows.map { row in
                let (id, webhook, event, eventID, position, attempts, delivered, status, error, first, last) = try row.decode(
                    (String, String, String, String, Int64, Int64, Bool, Int64?, String?, Int64, Int64).self)
                return Delivery(
                    deliveryID: id, webhook: webhook, event: event, eventID: eventID, position: position, attempts: Int(attempts),
                    delivered: delivered, responseStatus: status.map(Int.init), error: error, firstAttemptMs: first, lastAttemptMs: last)
            }
        }
    }

    func claim(_ id: String, holder: String, nowMs: Int64, leaseMs: Int64) throws(WebhookError) -> Bool {
        try blocking { database in
            try await !database.rows(
                """
                UPDATE mledger_webhooks SET lease_holder = \(holder), lease_until_ms = \(nowMs + leaseMs)
                WHERE id = \(id) AND (lease_holder IS NULL OR lease_holder = \(holder) OR lease_until_ms < \(nowMs)) RETURNING 1
                """
            ).isEmpty
        }
    }

    /// Takes over a subscription from another store (a SQLite relay's, by `migrate`) with its cursor,
    /// its state and its delivery log, unless one with its id is there already; true when it was added.
    func adopt(_ s: Subscription, log: [Delivery]) async throws -> Bool {
        try await database.client.withTransaction(logger: database.logger) { connection in
            guard try await !database.rows(Self.insert(s, ifAbsent: true), on: connection).isEmpty else { return false }
            for d in log {
                try await database.execute(
                    """
                    INSERT INTO mledger_webhook_deliveries (delivery_id, webhook, event, event_id, position, attempts, delivered,
                        response_status, error, first_attempt_ms, last_attempt_ms)
                    VALUES (\(d.deliveryID), \(d.webhook), \(d.event), \(d.eventID), \(d.position), \(Int64(d.attempts)), \(d.delivered),
                        \(d.responseStatus), \(d.error), \(d.firstAttemptMs), \(d.lastAttemptMs))
                    ON CONFLICT (delivery_id) DO NOTHING
                    """, on: connection)
            }
            return true
        }
    }

    private static let columns =
        "id, name, url, events, description, active, secret, created_ms, updated_ms, created_by, cursor, failures, next_attempt_ms"

    private static func subscription(_ row: SharedDatabase.Row) throws -> Subscription {
        let (id, name, url, events, description, active, secret, created, updated, createdBy, cursor, failures, next) = try row.decode(
            (String, String, String, String, String?, Bool, String, Int64, Int64, String?, Int64, Int64, Int64).self)
        return .stored(
            id: id, name: name, url: url, eventNames: events, description: description, active: active, secret: secret, createdMs: created,
            updatedMs: updated, createdBy: createdBy, cursor: cursor, failures: Int(failures), nextAttemptMs: next)
    }
}
