import GRDB
import LedgerProtocol

/// Opens ledger databases: WAL mode (readers never block the writer), full sync (a committed event
/// survives a crash or power loss), a busy timeout (two `mledger` processes can share a workspace), and
/// a page cache of `cacheMiB`: the id index takes random inserts, which a small cache turns into reads
/// once a ledger holds a million events.
///
/// One connection serves reads and writes in turn, unless `concurrentReads`: then reads run on their
/// own connections, each seeing the last commit, and never wait for a long write (a relay answering
/// requests while it stores a push). Those readers keep a smaller cache, so memory stays bounded.
enum LedgerDatabase {
    static let readerCacheMiB = 8

    /// `waitsForDisk: false` only for a copy of a history kept elsewhere, which a power cut may take back
    /// (a killed process loses nothing either way).
    static func open(path: String, cacheMiB: Int, concurrentReads: Bool = false, waitsForDisk: Bool = true) throws(StoreError) -> any DatabaseWriter {
        let synchronous = waitsForDisk ? "FULL" : "NORMAL"
        var config = Configuration()
        config.busyMode = .timeout(10)
        config.foreignKeysEnabled = false
        config.prepareDatabase { db in
            if db.configuration.readonly {
                try db.execute(sql: "PRAGMA cache_size = -\(min(cacheMiB, readerCacheMiB) * 1024)")
                return
            }
            // Not GRDB's `journalMode = .wal`: it sets synchronous = NORMAL after this closure runs, and a
            // commit would then survive a killed process but not a power loss.
            guard try String.fetchOne(db, sql: "PRAGMA journal_mode = WAL") == "wal" else {
                throw StoreError.database("\(path): SQLite could not switch this database to WAL mode")
            }
            try db.execute(sql: "PRAGMA synchronous = \(synchronous)")
            try db.execute(sql: "PRAGMA cache_size = -\(cacheMiB * 1024)")
        }
        do {
            let writer: any DatabaseWriter
            if concurrentReads {
                let pool = try DatabasePool(path: path, configuration: config)
                // A pool sets synchronous = NORMAL on its writer once open.
                try pool.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA synchronous = \(synchronous)") }
                writer = pool
            } else {
                writer = try DatabaseQueue(path: path, configuration: config)
            }
            try Schema.migrator().migrate(writer)
            try writer.write { db in try Meta.rebuildIfRequested(db) }
            return writer
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
