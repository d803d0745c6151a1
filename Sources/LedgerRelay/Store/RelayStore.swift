import LedgerDashboard
import LedgerProtocol
import LedgerStore
import LedgerWebhooks

/// Where a relay keeps the team's history: the seam between the routes and the database.
///
/// `ledger` is always a local SQLite ledger: the routes check chains and roles and serve the dashboard
/// from it. With SQLite alone it is the whole truth; with PostgreSQL it is this relay's replica of the
/// shared history, which `catchUp` brings up to what other relays stored, at the same positions. The
/// arrival order (what pull cursors count) is assigned in `ingest` under the store's sequencer: one
/// writer at a time, the position taken and committed together, so no reader can see a later position
/// before an earlier one. Pulls and the transparency log read the local ledger.
public protocol RelayStore: Sendable {
    /// The local ledger: the whole store (SQLite), or a replica that follows the shared one.
    var ledger: Ledger { get }
    /// What `/metrics` and the start line call this store.
    var name: String { get }
    /// The relay id every relay on this store shares (signed requests name it).
    func relayID() async throws -> [UInt8]
    /// Copies into `ledger` what other relays stored since it last looked (nothing to do for SQLite).
    func catchUp() async throws
    /// Stores a push's events, whose signatures were checked, batch by batch as `next` yields them (nil
    /// after the last), each with its outcome, and gives the accepted ones the next arrival positions.
    /// Blocks: call it on a thread of its own, in the relay's ingest turn.
    func ingest(_ next: @escaping @Sendable () -> [DecodedEvent]?) throws -> [LedgerID: Ledger.IngestResult]
    /// Records a request nonce; false when any relay on this store saw it before (a replay).
    func acceptNonce(_ nonce: String, timeMs: UInt64, nowMs: UInt64) async throws -> Bool
    /// Events stored, for `/metrics`.
    func eventCount() async throws -> Int
    /// One round trip to the database: throws when it does not answer.
    func ping() async throws
    /// Where dashboard sessions are kept besides memory (nil: in this process only).
    var sessions: (any SessionBackend)? { get }
    /// Where webhook subscriptions and deliveries are kept: beside the ledger, or shared by all relays.
    func webhookStore() throws -> any WebhookStore
    /// Makes `storage` sign with the log key every relay on this store uses (SQLite: its own, as stored).
    func shareLogKey(with storage: any LogStorage) async throws
}

extension RelayStore {
    /// Per author the highest seq stored, from the local ledger (which `catchUp` brought up to date).
    public func frontier() async throws -> [PublicKey: UInt64] {
        let ledger = ledger
        return try await offload { try ledger.frontier() }
    }
}

/// A pull page: frames, how many events, and the cursor of the last one.
public struct EventPage: Sendable {
    public var frames: [UInt8]
    public var count: Int
    public var cursor: Int64
}

extension EventPage {
    /// A page as the ledger reads it.
    init(_ page: (frames: [UInt8], count: Int, cursor: Int64)) {
        self.init(frames: page.frames, count: page.count, cursor: page.cursor)
    }
}

/// The embedded default: the relay's SQLite ledger is the whole store, request nonces beside it.
public struct SQLiteRelayStore: RelayStore {
    public let ledger: Ledger
    public var name: String { "sqlite" }
    public var sessions: (any SessionBackend)? { nil }
    private let nonces: NonceFile

    public init(ledger: Ledger) throws {
        self.ledger = ledger
        nonces = try NonceFile(besideLedger: ledger)
    }

    public func relayID() async throws -> [UInt8] { try ledger.relayID() }
    public func catchUp() async throws {}

    /// One transaction per push: nothing else waits on the ledger's writer meanwhile (nonces have their
    /// own file, reads their own connections), and a push commits once.
    public func ingest(_ next: @escaping @Sendable () -> [DecodedEvent]?) throws -> [LedgerID: Ledger.IngestResult] {
        try ledger.ingest(batches: next, signaturesVerified: true, enforceRoles: true)
    }

    public func acceptNonce(_ nonce: String, timeMs: UInt64, nowMs: UInt64) async throws -> Bool {
        let nonces = nonces
        return try await offload { try nonces.accept(nonce, timeMs: timeMs, nowMs: nowMs) }
    }

    public func eventCount() async throws -> Int {
        let ledger = ledger
        return try await offload { try ledger.eventCount() }
    }

    public func ping() async throws {
        let ledger = ledger
        _ = try await offload { try ledger.lastArrival() }
    }

    public func shareLogKey(with storage: any LogStorage) async throws {}

    public func webhookStore() throws -> any WebhookStore {
        try SQLiteWebhookStore(path: Webhooks.storePath(besideLedger: ledger.path))
    }
}
