import Logging
import PostgresNIO

/// The relay's tables in PostgreSQL. The events table is the shared arrival order: `position` is what pull
/// cursors count, assigned only by `PostgresSequencer` under its lock, and rows are never changed or
/// removed (a trigger refuses it), as in the SQLite store.
///
/// Only `position` is indexed: the sequencer inserts at the positions after the last, so a relay whose
/// copy missed an event fails on the key instead of storing anything twice, and every other lookup (an
/// id, an author's chain) is answered by the relays' local copies. Each index costs every insert.
enum PostgresSchema {
    /// Advisory lock keys (arbitrary, fixed): one for the sequencer, one for creating the schema.
    static let sequencerLock: Int64 = 0x6d6c_6564_6772_0001
    static let schemaLock: Int64 = 0x6d6c_6564_6772_0002

    static let statements = [
        """
        CREATE TABLE IF NOT EXISTS mledger_events (
            position BIGINT PRIMARY KEY, id BYTEA NOT NULL, author BYTEA NOT NULL, seq BIGINT NOT NULL,
            bytes BYTEA NOT NULL, signature BYTEA NOT NULL)
        """,
        // Indexes that tables made by earlier versions had.
        "ALTER TABLE mledger_events DROP CONSTRAINT IF EXISTS mledger_events_id_key",
        "DROP INDEX IF EXISTS mledger_events_chain",
        """
        CREATE OR REPLACE FUNCTION mledger_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN RAISE EXCEPTION 'mledger_events is append-only'; END $$
        """,
        """
        CREATE OR REPLACE TRIGGER mledger_events_append_only BEFORE UPDATE OR DELETE ON mledger_events
        FOR EACH ROW EXECUTE FUNCTION mledger_append_only()
        """,
        "CREATE TABLE IF NOT EXISTS mledger_nonces (nonce TEXT PRIMARY KEY, time BIGINT NOT NULL)",
        "CREATE INDEX IF NOT EXISTS mledger_nonces_time ON mledger_nonces (time)",
        "CREATE TABLE IF NOT EXISTS mledger_meta (key TEXT PRIMARY KEY, value BYTEA NOT NULL)",
        """
        CREATE TABLE IF NOT EXISTS mledger_webhooks (
            id TEXT PRIMARY KEY, name TEXT NOT NULL, url TEXT NOT NULL, events TEXT NOT NULL, description TEXT, active BOOLEAN NOT NULL,
            secret TEXT NOT NULL, created_ms BIGINT NOT NULL, updated_ms BIGINT NOT NULL, created_by TEXT, cursor BIGINT NOT NULL,
            failures BIGINT NOT NULL DEFAULT 0, next_attempt_ms BIGINT NOT NULL DEFAULT 0, lease_holder TEXT,
            lease_until_ms BIGINT NOT NULL DEFAULT 0)
        """,
        """
        CREATE TABLE IF NOT EXISTS mledger_webhook_deliveries (
            delivery_id TEXT PRIMARY KEY, webhook TEXT NOT NULL, event TEXT NOT NULL, event_id TEXT NOT NULL, position BIGINT NOT NULL,
            attempts BIGINT NOT NULL, delivered BOOLEAN NOT NULL, response_status BIGINT, error TEXT, first_attempt_ms BIGINT NOT NULL,
            last_attempt_ms BIGINT NOT NULL)
        """,
        "CREATE INDEX IF NOT EXISTS mledger_webhook_deliveries_by_webhook ON mledger_webhook_deliveries (webhook, position)",
        """
        CREATE TABLE IF NOT EXISTS mledger_sessions (
            key BYTEA PRIMARY KEY, viewer TEXT NOT NULL, signer BYTEA, form_token TEXT NOT NULL, expires BIGINT NOT NULL)
        """,
    ]

    /// Creates what is missing, one relay at a time (several may start together).
    static func create(on client: PostgresClient, logger: Logger) async throws {
        try await client.withTransaction(logger: logger) { connection in
            try await connection.query("SELECT pg_advisory_xact_lock(\(schemaLock))", logger: logger)
            for statement in statements {
                try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger)
            }
        }
    }
}
