import GRDB
import LedgerProtocol

/// Opens ledger databases: WAL mode (readers never block the writer), full sync (a committed event
/// survives a crash or power loss), a busy timeout (two `mledger` processes can share a workspace), and
/// a page cache of `cacheMiB`: the id index takes random inserts, which a small cache turns into reads
/// once a ledger holds a million events.
enum LedgerDatabase {
    static func open(path: String, cacheMiB: Int) throws(StoreError) -> DatabaseQueue {
        var config = Configuration()
        config.busyMode = .timeout(10)
        config.foreignKeysEnabled = false
        config.prepareDatabase { db in
            // Not GRDB's `journalMode = .wal`: it sets synchronous = NORMAL after this closure runs, and a
            // commit would then survive a killed process but not a power loss.
            guard try String.fetchOne(db, sql: "PRAGMA journal_mode = WAL") == "wal" else {
                throw StoreError.database("\(path): SQLite could not switch this database to WAL mode")
            }
            try db.execute(sql: "PRAGMA synchronous = FULL")
            try db.execute(sql: "PRAGMA cache_size = -\(cacheMiB * 1024)")
        }
        do {
            let queue = try DatabaseQueue(path: path, configuration: config)
            try Schema.migrator().migrate(queue)
            try queue.write { db in try Meta.rebuildIfRequested(db) }
            return queue
        } catch {
            throw StoreError.database("\(path): \(error)")
        }
    }
}

extension StoreError {
    /// Wraps any error from a database closure, keeping store errors as they are.
    static func wrap(_ error: any Error) -> StoreError {
        if let e = error as? StoreError { return e }
        if let e = error as? EventError { return .rejected(e) }
        if let e = error as? DatabaseError { return .database(e.message ?? e.description) }
        return .database("\(error)")
    }
}
