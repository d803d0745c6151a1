import GRDB

/// A server's own state beside its ledger (webhooks, the transparency log, request nonces): a SQLite
/// file in WAL mode, with a busy timeout so two processes on one folder queue up.
public enum SideDatabase {
    /// - Parameter waitsForDisk: synchronous = FULL (a commit survives a power loss) or NORMAL (a killed
    ///   process loses nothing; a power loss may forget the last commits).
    public static func open(path: String, waitsForDisk: Bool = true) throws -> DatabaseQueue {
        var config = Configuration()
        config.busyMode = .timeout(10)
        config.prepareDatabase { db in
            _ = try String.fetchOne(db, sql: "PRAGMA journal_mode = WAL")
            try db.execute(sql: "PRAGMA synchronous = \(waitsForDisk ? "FULL" : "NORMAL")")
        }
        return try DatabaseQueue(path: path, configuration: config)
    }
}
