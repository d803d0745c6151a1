import LedgerDashboard
import LedgerProtocol
import NIOCore
import PostgresNIO

/// Dashboard sessions in the shared database, so a browser sent to any relay stays signed in. Rows are
/// keyed by the SHA-256 of the cookie, never the cookie itself.
struct PostgresSessions: SessionBackend {
    let database: SharedDatabase

    func save(_ key: [UInt8], _ session: DashboardSessions.Session, nowMs: UInt64) async throws {
        let logger = database.logger
        try await database.client.query("DELETE FROM mledger_sessions WHERE expires < \(Int64(nowMs))", logger: logger)
        let signer = session.owner.key.map { ByteBuffer(bytes: $0.bytes) }
        try await database.client.query(
            """
            INSERT INTO mledger_sessions (key, viewer, signer, form_token, expires)
            VALUES (\(ByteBuffer(bytes: key)), \(session.owner.viewer), \(signer), \(session.formToken), \(Int64(session.expiresMs)))
            """, logger: logger)
    }

    func load(_ key: [UInt8]) async throws -> DashboardSessions.Session? {
        let rows = try await database.client.query(
            "SELECT viewer, signer, form_token, expires FROM mledger_sessions WHERE key = \(ByteBuffer(bytes: key))", logger: database.logger)
        for try await (viewer, signer, formToken, expires) in rows.decode((String, ByteBuffer?, String, Int64).self) {
            let owner = SignedIn(viewer: viewer, key: signer.flatMap { PublicKey(bytes: Array(buffer: $0)) })
            return DashboardSessions.Session(owner: owner, formToken: formToken, expiresMs: UInt64(max(0, expires)))
        }
        return nil
    }

    func remove(_ key: [UInt8]) async throws {
        try await database.client.query("DELETE FROM mledger_sessions WHERE key = \(ByteBuffer(bytes: key))", logger: database.logger)
    }
}
