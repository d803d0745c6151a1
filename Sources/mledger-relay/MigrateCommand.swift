import ArgumentParser
import Foundation
import LedgerProtocol
import LedgerRelay
import LedgerStore
import LedgerWebhooks
import Logging

/// `mledger-relay migrate --from DIR --to postgres://...`: a SQLite relay's history into PostgreSQL.
struct Migrate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Copy a SQLite relay's history into a PostgreSQL database, for relays started with --database.",
        usage: "mledger-relay migrate --from /var/lib/mledger-relay --to postgres://mledger@db.example.org/mledger",
        discussion: """
            Stop the SQLite relay first. Every event is verified, then copied at its arrival position, so \
            clients sync on without pulling again. Interrupted, it resumes where it stopped when run again. \
            Blobs are files: copy the blobs/ folder to the relays' --blobs folder (rsync -a).
            """
    )

    @Option(help: "The SQLite relay's data folder (the one with relay.sqlite).")
    var from: String

    @Option(help: "The PostgreSQL database (postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE).")
    var to: String

    func validate() throws {
        do throws(RelayStoreError) { _ = try DatabaseAddress(to) } catch { throw ValidationError(error.description) }
        guard FileManager.default.fileExists(atPath: URL(fileURLWithPath: from).appendingPathComponent("relay.sqlite").path) else {
            throw ValidationError("\(from) has no relay.sqlite: --from takes a SQLite relay's data folder")
        }
    }

    func run() async throws {
        let address = try DatabaseAddress(to)
        let folder = URL(fileURLWithPath: from)
        let source = try Ledger(path: folder.appendingPathComponent("relay.sqlite").path, cacheMiB: 16)
        let logPath = folder.appendingPathComponent("transparency.sqlite").path
        let logKeySeed =
            FileManager.default.fileExists(atPath: logPath) ? try SQLiteLogStorage(path: logPath).keySeed { SigningKey.generate().seed } : nil
        var logger = Logger(label: "mledger-relay")
        logger.logLevel = .error
        let webhookPath = Webhooks.storePath(besideLedger: source.path)
        let webhooks = FileManager.default.fileExists(atPath: webhookPath) ? try SQLiteWebhookStore(path: webhookPath) : nil
        let report = try await PostgresMigration.run(from: source, logKeySeed: logKeySeed, webhooks: webhooks, to: address, logger: logger) {
            position in
            FileHandle.standardError.write(Data("copied up to position \(position)\n".utf8))
        }
        let resumed = report.alreadyThere > 0 ? " (\(report.alreadyThere) were there already)" : ""
        print("migrated \(report.copied) events into \(address.shown)\(resumed); positions 1...\(report.last)")
        if report.webhooks > 0 { print("moved \(report.webhooks) webhook subscription(s) with their cursors and delivery logs") }
    }
}
