import ArgumentParser
import Foundation
import Hummingbird
import LedgerProtocol
import LedgerRelay
import LedgerWebhooks
import Logging

@main
struct RelayCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mledger-relay",
        abstract: "The ModelLedger relay: verifies, stores and serves a team's signed events.",
        discussion: """
            Clients push their events with `mledger sync` and pull everyone else's. The relay checks every \
            signature, hash chain and role, stores what is valid in its embedded SQLite store, and serves \
            it back in the order it arrived. It cannot forge or alter an event: every client verifies \
            what it pulls.
            """,
        version: "0.1.0",
        subcommands: [Serve.self, Migrate.self, NewLog.self],
        defaultSubcommand: Serve.self
    )
}

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the relay.",
        usage: "mledger-relay serve --data /var/lib/mledger --port 8470 --team TEAM_ID",
        discussion: """
            Environment variables set the defaults: MLEDGER_RELAY_DATA, MLEDGER_RELAY_HOST, \
            MLEDGER_RELAY_PORT, MLEDGER_RELAY_TEAM, MLEDGER_RELAY_DATABASE, MLEDGER_RELAY_BLOBS, \
            LOG_LEVEL (trace, debug, info, warning, error). \
            With --database, several relays share one PostgreSQL: each keeps a local copy in --data. \
            GET /healthz answers "ok" while the database answers; GET /metrics serves Prometheus metrics. \
            Stop with SIGINT or SIGTERM.
            """
    )

    static let environment = ProcessInfo.processInfo.environment

    @Option(help: "Folder for the relay's database and blobs (created if missing).")
    var data: String = environment["MLEDGER_RELAY_DATA"] ?? "relay-data"

    @Option(help: "Address to listen on.")
    var host: String = environment["MLEDGER_RELAY_HOST"] ?? "127.0.0.1"

    @Option(help: "Port to listen on (0 picks a free one).")
    var port: Int = Int(environment["MLEDGER_RELAY_PORT"] ?? "") ?? 8470

    @Option(help: "The team id this relay serves (printed by `mledger init`); without it the first genesis pushed is adopted.")
    var team: String? = environment["MLEDGER_RELAY_TEAM"]

    @Option(help: "A PostgreSQL database shared with other relays (postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE); without it, SQLite in --data.")
    var database: String? = environment["MLEDGER_RELAY_DATABASE"]

    @Option(help: "Folder for artifact blobs (default: blobs/ in --data); relays on one database share one folder.")
    var blobs: String? = environment["MLEDGER_RELAY_BLOBS"]

    @Option(help: "Largest request body in bytes.")
    var maxBody: Int = 16 << 20

    @Flag(help: "Let webhooks call link-local and cloud metadata addresses (169.254/16, fe80::/10), refused by default.")
    var webhookAllowLinkLocal = false

    @Option(help: "Longest wait, in seconds, between attempts to deliver a webhook to a failing receiver (waits double from 1 s).")
    var webhookRetryMax: Double = 3600

    func validate() throws {
        if let team, LedgerID(hex: team) == nil { throw ValidationError("--team must be a 64-digit hex team id") }
        if let database {
            do throws(RelayStoreError) { _ = try DatabaseAddress(database) } catch { throw ValidationError(error.description) }
        }
        guard webhookRetryMax >= 0.01, webhookRetryMax <= 86_400 else {
            throw ValidationError("--webhook-retry-max must be between 0.01 and 86400 seconds")
        }
    }

    func run() async throws {
        RelayMemory.returnLargeBuffersToTheSystem()
        let directory = URL(fileURLWithPath: data)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        var configuration = RelayConfiguration(
            dataDirectory: directory, host: host, port: port, team: team.flatMap(LedgerID.init(hex:)), maxBodyBytes: maxBody)
        configuration.webhookAllowLinkLocal = webhookAllowLinkLocal
        configuration.database = try database.map { try DatabaseAddress($0) }
        configuration.blobDirectoryOverride = blobs.map { URL(fileURLWithPath: $0) }
        let capMs = Int64(webhookRetryMax * 1000)
        configuration.webhookBackoff = Backoff(baseMs: min(1_000, capMs), capMs: capMs)
        var logger = Logger(label: "mledger-relay")
        logger.logLevel = Serve.environment["LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? .warning
        let state = try await RelayState(configuration: configuration, logger: logger)
        let host = self.host
        let shared = configuration.database.map { ", database: \($0.shown)" } ?? ""
        let app = RelayApplication.make(state: state, logger: logger) { port in
            FileHandle.standardOutput.write(Data("mledger-relay listening on http://\(host):\(port) (data: \(directory.path)\(shared))\n".utf8))
        }
        // Webhook deliveries run beside the server, from their persisted cursors, until it stops.
        let deliveries = Task { await state.deliveryWorker().run() }
        defer { deliveries.cancel() }
        try await RelayApplication.run(app, logger: logger)
    }
}
