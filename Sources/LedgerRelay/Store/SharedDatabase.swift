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

    /// The last position: positions have no gaps, so it is also the number of events.
    func head(on connection: PostgresConnection? = nil) async throws -> Int64 {
        let query: PostgresQuery = "SELECT coalesce(max(position), 0)::BIGINT FROM mledger_events"
        for try await head in try await run(query, on: connection).decode(Int64.self) { return head }
        return 0
    }

    /// Runs a query on `connection` (inside its transaction) or on any pooled connection.
    func run(_ query: PostgresQuery, on connection: PostgresConnection?) async throws -> PostgresRowSequence {
        if let connection { return try await connection.query(query, logger: logger) }
        return try await client.query(query, logger: logger)
    }

    /// The id of the event at `position`, if there is one.
    func id(at position: Int64) async throws -> [UInt8]? {
        let rows = try await client.query("SELECT id FROM mledger_events WHERE position = \(position)", logger: logger)
        for try await id in rows.decode(ByteBuffer.self) { return Array(buffer: id) }
        return nil
    }
}
