import Foundation
import LedgerProtocol
import LedgerWebhooks

/// How a relay runs: where it keeps its data, where it listens, which team it serves and its limits.
public struct RelayConfiguration: Sendable {
    public var dataDirectory: URL
    public var host: String
    /// 0 picks a free port (printed when the relay is listening).
    public var port: Int
    /// The team this relay serves; nil adopts the first genesis pushed to it.
    public var team: LedgerID?
    /// Largest request body (pushes) in bytes; larger requests get 413 and change nothing.
    public var maxBodyBytes: Int
    /// Most events in one push.
    public var maxEventsPerPush: Int
    /// Most events in one pull page.
    public var maxPullPage: Int
    /// Largest artifact blob accepted.
    public var maxBlobBytes: Int = 8 << 30
    /// Lets webhooks call link-local and cloud metadata addresses (refused by default: SSRF).
    public var webhookAllowLinkLocal = false
    /// Waits between failed webhook delivery attempts.
    public var webhookBackoff = Backoff()
    /// The shared PostgreSQL database; nil keeps everything in SQLite in `dataDirectory`.
    public var database: DatabaseAddress?
    /// Where artifact blobs live: by default in the data folder; relays sharing a database share this
    /// folder too (a network file system), since blobs are immutable files named by their hash.
    public var blobDirectoryOverride: URL?

    public init(
        dataDirectory: URL, host: String = "127.0.0.1", port: Int = 8470, team: LedgerID? = nil,
        maxBodyBytes: Int = 16 << 20, maxEventsPerPush: Int = 10_000, maxPullPage: Int = 10_000
    ) {
        self.dataDirectory = dataDirectory
        self.host = host
        self.port = port
        self.team = team
        self.maxBodyBytes = maxBodyBytes
        self.maxEventsPerPush = maxEventsPerPush
        self.maxPullPage = maxPullPage
    }

    var databasePath: String { dataDirectory.appendingPathComponent("relay.sqlite").path }
    var blobDirectory: URL { blobDirectoryOverride ?? dataDirectory.appendingPathComponent("blobs") }
    /// What the start line and errors call the store.
    public var storeName: String { database?.shown ?? dataDirectory.path }
}
