import LedgerDashboard
import LedgerProtocol
import NIOCore
import PostgresNIO

/// Dashboard sessions in the shared database, so a browser sent to any relay stays signed in. Rows are
/// keyed by the SHA-256 of the cookie, never the cookie itself.
struct PostgresSessions: SessionBackend {
    let database: SharedDatabase

    func save(_ key: [UInt8], _ session: DashboardSessions.Session, nowMs: UInt64) async throws {
        try await database.execute("DELETE FROM mledger_sessions WHERE expires < \(Int64(nowMs))")
        let signer = session.owner.key.map { ByteBuffer(bytes: $0.bytes) }
        try await database.execute(
            """
            INSERT INTO mledger_sessions (key, viewer, signer, form_token, expires)
            VALUES (\(ByteBuffer(bytes: key)), \(session.owner.viewer), \(signer), \(session.formToken), \(Int64(session.expiresMs)))
            """)
    }

    func load(_ key: [UInt8]) async throws -> DashboardSessions.Session? {
        let rows = try await database.rows(
            "SELECT viewer, signer, form_token, expires FROM mledger_sessions WHERE key = \(ByteBuffer(bytes: key))")
        for row in rows {
            let (viewer, signer, formToken, expires) = try row.decode((String, ByteBuffer?, String, Int64).self)
            let owner = SignedIn(viewer: viewer, key: signer.flatMap { PublicKey(bytes: Array(buffer: $0)) })
            return DashboardSessions.Session(owner: owner, formToken: formToken, expiresMs: UInt64(max(0, expires)))
        }
        return nil
    }

    func remove(_ key: [UInt8]) async throws {
        try await database.execute("DELETE FROM mledger_sessions WHERE key = \(ByteBuffer(bytes: key))")
    }
}
