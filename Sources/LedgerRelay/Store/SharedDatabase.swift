import Logging
import PostgresNIO

/// A connection pool to the shared database, with the relay's tables created: what the store and
/// `migrate` both start from.
final class SharedDatabase: Sendable {
    let client: PostgresClient
    let logger: Logger
    private let runner: Task<Void, Never>

    init(address: DatabaseAddress, logger: Logger) async throws {
        var configuration = PostgresClient.Configuration(
            host: address.host, port: address.port, username: address.user, password: address.password, database: address.database,
            tls: .disable)
        configuration.options.maximumConnections = 8
        let client = PostgresClient(configuration: configuration, backgroundLogger: logger)
        self.client = client
        self.logger = logger
        runner = Task { await client.run() }
        do {
            try await withDeadline(seconds: 20, address.shown) { try await PostgresSchema.create(on: client, logger: logger) }
        } catch let error as RelayStoreError {
            runner.cancel()
            throw error
        } catch {
            runner.cancel()
            throw RelayStoreError.unreachable(address.shown, String(reflecting: error))
        }
    }

    deinit { runner.cancel() }

    /// How long one statement may take before the relay gives up on it (`withDeadline`).
    static let statementSeconds: Double = 15
    /// A row of a statement's answer.
    typealias Row = PostgresRow

    /// The last position: positions have no gaps, so it is also the number of events.
    func head(on connection: PostgresConnection? = nil) async throws -> Int64 {
        let rows = try await self.rows("SELECT coalesce(max(position), 0)::BIGINT FROM mledger_events", on: connection)
        return try rows.first?.decode(Int64.self) ?? 0
    }

    /// Runs a statement on `connection` (inside its transaction) or on any pooled connection, and
    /// collects its rows, all within `seconds`.
    func rows(_ query: PostgresQuery, on connection: PostgresConnection? = nil, seconds: Double = statementSeconds) async throws -> [Row] {
        let (client, logger) = (self.client, self.logger)
        return try await withDeadline(seconds: seconds, "the database") {
            if let connection { return try await connection.query(query, logger: logger).collect() }
            return try await client.query(query, logger: logger).collect()
        }
    }

    /// Runs a statement whose rows are not needed.
    func execute(_ query: PostgresQuery, on connection: PostgresConnection? = nil, seconds: Double = statementSeconds) async throws {
        _ = try await rows(query, on: connection, seconds: seconds)
    }

    /// The 32-byte value kept under `key` in `mledger_meta`: `value` if none was kept yet (the first
    /// relay to propose one wins), else the one already there.
    func sharedValue(_ key: String, proposing value: [UInt8]) async throws -> [UInt8] {
        try await execute("INSERT INTO mledger_meta (key, value) VALUES (\(key), \(ByteBuffer(bytes: value))) ON CONFLICT DO NOTHING")
        for row in try await rows("SELECT value FROM mledger_meta WHERE key = \(key)") {
            let kept = try row.decode(ByteBuffer.self)
            if kept.readableBytes == 32 { return Array(buffer: kept) }
        }
        throw RelayStoreError.diverged("the value of \(key) in mledger_meta is not 32 bytes")
    }

    /// The id of the event at `position`, if there is one.
    func id(at position: Int64) async throws -> [UInt8]? {
        let rows = try await self.rows("SELECT id FROM mledger_events WHERE position = \(position)")
        return try rows.first.map { Array(buffer: try $0.decode(ByteBuffer.self)) }
    }
}
