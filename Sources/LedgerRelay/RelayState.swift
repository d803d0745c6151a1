import Foundation
import LedgerModel
import LedgerProtocol
import LedgerStore
import LedgerWebhooks
import Logging

/// Everything the routes share: the relay's store (its ledger has the same verification rules as every
/// client's), its blob store, its limits and its metrics.
public struct RelayState: Sendable {
    public let configuration: RelayConfiguration
    /// Where the history is kept; see `RelayStore`.
    public let store: any RelayStore
    /// The local ledger: the whole store, or this relay's replica of the shared one.
    public var ledger: Ledger { store.ledger }
    public let blobs: BlobStore
    /// This relay's id (see `Ledger.relayID`): signed requests name it, so they are good only here.
    public let relayID: [UInt8]
    /// Webhook subscriptions and their delivery state, in `webhooks.sqlite` beside the ledger.
    public let webhooks: Webhooks
    /// The transparency log of the relay's arrival order (SPEC 6.17), in `transparency.sqlite`. Relays
    /// sharing PostgreSQL each grow it from their local copy, which follows the shared order, and sign with
    /// the key kept in the database: their logs and checkpoints are identical (Ed25519 is deterministic).
    public let log: TransparencyLog
    let metrics = RelayMetrics()
    let turns = IngestTurns()
    /// Request bodies held at once: four of the largest allowed (a client keeps two pushes in flight).
    let bodies: BodyBudget

    /// Opens the configured store (SQLite in the data folder, or PostgreSQL with a local replica there).
    public init(configuration: RelayConfiguration, logger: Logger = Logger(label: "mledger-relay")) async throws {
        self.configuration = configuration
        bodies = BodyBudget(limit: 4 * configuration.maxBodyBytes)
        try FileManager.default.createDirectory(at: configuration.blobDirectory, withIntermediateDirectories: true)
        // A small cache keeps the relay's memory flat; it mostly appends and serves pages in order.
        // Requests read while a push is stored (authentication, pulls, the dashboard).
        // On PostgreSQL it is a copy: a commit a power cut takes back (with the followed position, in the
        // same transaction) is copied again from the database at the next start, so it need not wait for
        // the disk, and a push waits for one durable commit, PostgreSQL's.
        let ledger = try Ledger(
            path: configuration.databasePath, cacheMiB: 16, concurrentReads: true, waitsForDisk: configuration.database == nil)
        if let address = configuration.database {
            store = try await PostgresRelayStore(address: address, replica: ledger, logger: logger)
        } else {
            store = try SQLiteRelayStore(ledger: ledger)
        }
        blobs = BlobStore(directory: configuration.blobDirectory)
        relayID = try await store.relayID()
        let policy = AddressPolicy(allowLinkLocal: configuration.webhookAllowLinkLocal)
        webhooks = Webhooks(
            store: try store.webhookStore(), ledger: ledger, policy: policy)
        let logStorage = try SQLiteLogStorage(path: configuration.dataDirectory.appendingPathComponent("transparency.sqlite").path)
        try await store.shareLogKey(with: logStorage)
        log = try TransparencyLog(storage: logStorage)
        if let configured = configuration.team, let stored = try ledger.team(), stored != configured {
            throw StoreError.invalidInput("\(configuration.storeName) holds team \(stored.short), not \(configured.short)")
        }
    }

    /// The worker that delivers the subscriptions' events; the relay runs it beside its server.
    /// It names itself by host and data folder in delivery leases (so a restarted relay takes its own
    /// back at once) and brings the local ledger up to the shared store before it looks for events.
    public func deliveryWorker() -> DeliveryWorker {
        let (metrics, store) = (self.metrics, self.store)
        return DeliveryWorker(
            store: webhooks.store, ledger: ledger, policy: webhooks.policy, backoff: configuration.webhookBackoff,
            holder: "\(ProcessInfo.processInfo.hostName):\(configuration.dataDirectory.standardizedFileURL.path)",
            refresh: { try? await store.catchUp() },
            onAttempt: { result in metrics.webhookAttempts(result.success ? "delivered" : "failed").increment() })
    }

    /// What a request must be signed for: this relay, and its team (`team`, the one its ledger holds, else
    /// the one it was started with; none before either).
    func audience(holding team: LedgerID?) -> RequestSignature.Audience {
        RequestSignature.Audience(relay: relayID, team: team ?? configuration.team)
    }

    /// Store size for /metrics: the database and its write-ahead log.
    func storeBytes() -> Int {
        ["", "-wal"].reduce(0) { total, suffix in
            let size = (try? FileManager.default.attributesOfItem(atPath: configuration.databasePath + suffix)[.size] as? Int) ?? nil
            return total + (size ?? 0)
        }
    }
}
