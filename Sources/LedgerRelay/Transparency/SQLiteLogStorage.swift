import Foundation
import GRDB
import LedgerProtocol
import LedgerStore

/// The log of a single relay in `transparency.sqlite` beside its ledger: server state derived from the
/// ledger's arrival order, with migrations of its own.
public final class SQLiteLogStorage: LogStorage {
    let queue: DatabaseQueue

    public init(path: String) throws {
        queue = try SideDatabase.open(path: path)
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v6-transparency-1") { db in
            try db.execute(
                sql: """
                    CREATE TABLE log_key (id INTEGER PRIMARY KEY CHECK (id = 1), seed BLOB NOT NULL);
                    -- Level 0 of the tree: one row per leaf. `log_nodes` holds the full subtrees above it.
                    CREATE TABLE log_leaves (position INTEGER PRIMARY KEY, cursor INTEGER NOT NULL UNIQUE, hash BLOB NOT NULL);
                    CREATE TABLE log_nodes (level INTEGER NOT NULL, idx INTEGER NOT NULL, hash BLOB NOT NULL, PRIMARY KEY (level, idx)) WITHOUT ROWID;
                    CREATE TABLE log_checkpoints (size INTEGER PRIMARY KEY, note TEXT NOT NULL);
                    """)
        }
        try migrator.migrate(queue)
    }

    public func keySeed(make: () -> [UInt8]) throws -> [UInt8] {
        try queue.write { db in
            if let seed = try Data.fetchOne(db, sql: "SELECT seed FROM log_key WHERE id = 1") { return [UInt8](seed) }
            let seed = make()
            try db.execute(sql: "INSERT INTO log_key (id, seed) VALUES (1, ?)", arguments: [Data(seed)])
            return seed
        }
    }

    public func head() throws -> (size: UInt64, cursor: Int64) {
        try queue.read { db in
            let row = try Row.fetchOne(db, sql: "SELECT count(*) AS n, coalesce(max(cursor), 0) AS c FROM log_leaves")
            return (UInt64(row?["n"] as Int64? ?? 0), row?["c"] ?? 0)
        }
    }

    public func append(_ leaves: [LogLeaf], nodes: [MerkleNode], checkpoint: String) throws {
        guard let last = leaves.last else { return }
        try queue.write { db in
            // Prepared once per batch: compiling each insert again cost as much as running it.
            let insertLeaf = try db.makeStatement(sql: "INSERT INTO log_leaves (position, cursor, hash) VALUES (?, ?, ?)")
            for leaf in leaves { try insertLeaf.execute(arguments: [Int64(leaf.position), leaf.cursor, Data(leaf.hash)]) }
            let insertNode = try db.makeStatement(sql: "INSERT INTO log_nodes (level, idx, hash) VALUES (?, ?, ?)")
            for node in nodes where node.level > 0 { try insertNode.execute(arguments: [node.level, Int64(node.index), Data(node.hash)]) }
            try db.execute(sql: "INSERT INTO log_checkpoints (size, note) VALUES (?, ?)", arguments: [Int64(last.position + 1), checkpoint])
        }
    }

    public func subtree(level: Int, index: UInt64) throws -> [UInt8] {
        let hash = try queue.read { db in
            level == 0
                ? try Data.fetchOne(db, sql: "SELECT hash FROM log_leaves WHERE position = ?", arguments: [Int64(index)])
                : try Data.fetchOne(db, sql: "SELECT hash FROM log_nodes WHERE level = ? AND idx = ?", arguments: [level, Int64(index)])
        }
        guard let hash else { throw TransparencyError.storage("no full subtree at level \(level), index \(index)") }
        return [UInt8](hash)
    }

    public func firstPosition(from cursor: Int64) throws -> UInt64? {
        try queue.read { db in
            try Int64.fetchOne(db, sql: "SELECT position FROM log_leaves WHERE cursor >= ? ORDER BY cursor LIMIT 1", arguments: [cursor]).map(
                UInt64.init)
        }
    }

    public func latestCheckpoint() throws -> String? {
        try queue.read { db in try String.fetchOne(db, sql: "SELECT note FROM log_checkpoints ORDER BY size DESC LIMIT 1") }
    }
}
