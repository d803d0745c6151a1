import Foundation
import GRDB
import LedgerModel
import LedgerProtocol

extension Ledger {
    /// Recomputes every projection from the events alone, in merge order. Returns the number of events.
    @discardableResult
    public func rebuild(progress: (@Sendable (Int, Int) -> Void)? = nil) throws(StoreError) -> Int {
        try write { db in try Self.rebuild(db, progress: progress) }
    }

    /// First the team authority from the team events and forks, then every other event in merge order:
    /// projected if its author could sign it at its place, held otherwise.
    @discardableResult
    static func rebuild(_ db: Database, progress: (@Sendable (Int, Int) -> Void)? = nil) throws -> Int {
        // A migration that rebuilds runs before later migrations create their tables.
        for (table, _) in Schema.projectionTables where try db.tableExists(table) { try db.execute(sql: "DELETE FROM \(table)") }
        guard let team = try Meta.team(db) else { return 0 }
        let kinds = AuthorityProjection.kinds.map { "'\($0.rawValue)'" }.joined(separator: ", ")
        var teamEvents = [TeamEvent]()
        for row in try Row.fetchAll(db, sql: "SELECT bytes, signature FROM events WHERE kind IN (\(kinds))") {
            let event = try AuthorityProjection.teamEvent(
                SignedEvent(bytes: row.bytes("bytes"), signature: row.bytes("signature"), verifySignature: false))
            teamEvents.append(event)
            try TableWrites.teamEvent.execute(db, [event.id, event.order])
        }
        try db.execute(
            sql: """
                INSERT INTO forks (author, seq) SELECT author, min(seq) FROM
                (SELECT author, seq FROM events GROUP BY author, seq HAVING count(*) > 1) GROUP BY author
                """)
        let authority = TeamAuthority(events: teamEvents, forks: try AuthorityProjection.forks(db))
        try AuthorityProjection.write(authority, db)
        let total = try Int.fetchOne(db, sql: "SELECT count(*) FROM events") ?? 0
        let rows = try Row.fetchCursor(db, sql: "SELECT bytes, signature FROM events WHERE kind NOT IN (\(kinds)) ORDER BY clock, author, seq, id")
        let projector = Projector(db: db, team: team)
        var done = teamEvents.count
        while let row = try rows.next() {
            let event = try SignedEvent(bytes: row.bytes("bytes"), signature: row.bytes("signature"), verifySignature: false)
            let env = event.envelope
            if authority.counts(author: env.author, seq: env.seq, order: OrderKey(event), required: Permissions.leastRole(for: env.kind)) {
                try projector.apply(event, try event.body())
            } else {
                try TableWrites.held.execute(db, [event.id, env.author, IngestSession.heldReason])
            }
            done += 1
            if done % 10_000 == 0 { progress?(done, total) }
        }
        progress?(done, total)
        return done
    }

    /// A digest of all projection tables: equal digests mean identical team views.
    public func projectionDigest() throws(StoreError) -> LedgerID {
        try read { db in try Self.digests(db).all }
    }

    /// Per-table digests and one over all tables, so a mismatch can name the table.
    static func digests(_ db: Database) throws -> (all: LedgerID, tables: [String: LedgerID]) {
        var all = ViewDigest()
        var tables = [String: LedgerID]()
        for (table, orderBy) in Schema.projectionTables {
            var one = ViewDigest()
            let inView = !Schema.storageTables.contains(table)
            if inView { all.table(table) }
            one.table(table)
            let rows = try Row.fetchCursor(db, sql: "SELECT * FROM \(table) ORDER BY \(orderBy)")
            while let row = try rows.next() {
                for value in row.databaseValues {
                    if inView { add(value, to: &all) }
                    add(value, to: &one)
                }
                if inView { all.endRow() }
                one.endRow()
            }
            tables[table] = one.finish()
        }
        return (all.finish(), tables)
    }

    private static func add(_ value: DatabaseValue, to digest: inout ViewDigest) {
        switch value.storage {
        case .null: digest.null()
        case .int64(let i): digest.int(i)
        case .double(let d): digest.double(d)
        case .string(let s): digest.text(s)
        case .blob(let b): digest.blob(Array(b))
        }
    }
}
