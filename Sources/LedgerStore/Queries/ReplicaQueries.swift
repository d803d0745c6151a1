import Foundation
import GRDB
import LedgerProtocol

/// A ledger that follows a shared store's arrival order (a relay's local copy of a PostgreSQL history):
/// it remembers how far it has followed, in the same transaction as the events it copied, so after a
/// crash it resumes from exactly what it holds.
extension Ledger {
    /// The shared store's position of the last event this ledger copied (0 before the first).
    public func followedPosition() throws(StoreError) -> Int64 {
        try read { db in try Self.followedPosition(db) }
    }

    static func followedPosition(_ db: Database) throws -> Int64 {
        try Int64.fetchOne(db.cachedStatement(sql: "SELECT value FROM meta WHERE key = 'followed_position'")) ?? 0
    }

    /// Records the followed position (never moving it back); meant for `ingest(afterwards:)`, so it
    /// commits with the events.
    public static func setFollowedPosition(_ db: Database, _ position: Int64) throws {
        try db.cachedStatement(
            sql: """
                INSERT INTO meta (key, value) VALUES ('followed_position', ?)
                ON CONFLICT (key) DO UPDATE SET value = max(value, excluded.value)
                """
        ).execute(arguments: [position])
    }

    /// Marks this ledger as holding the shared store's history up to `position` (after `migrate` copied
    /// it, at the same positions, from this very ledger).
    public func markFollowed(through position: Int64) throws(StoreError) {
        try write { db in try Self.setFollowedPosition(db, position) }
    }

    /// Stores events another relay already checked and the shared store ordered, as a client stores a
    /// pull page (roles were enforced when they were accepted), and the position they reach.
    /// They are stored in the shared order itself, so each lands at the row its position names: pull
    /// cursors and the transparency log, read from this ledger, are then the same on every relay. A copy
    /// that would land elsewhere is refused, as the copy no longer follows the shared order.
    public func follow(_ events: [SignedEvent], through position: Int64) throws(StoreError) {
        _ = try ingest(
            decoded: events.map { DecodedEvent(event: $0, body: nil) }, signaturesVerified: true, enforceRoles: false, inGivenOrder: true
        ) { db, _ in
            let last = try Int64.fetchOne(db, sql: "SELECT coalesce(max(rowid), 0) FROM events") ?? 0
            guard last == position else {
                throw StoreError.invalidInput("the local copy ends at row \(last), not at the shared position \(position)")
            }
            try Self.setFollowedPosition(db, position)
        }
    }
}

extension Ledger {
    /// Up to `limit` stored events after local row `rowid`, each with its row (its arrival position),
    /// signatures not checked: for copying a relay's whole history elsewhere, held events included.
    public func storedEvents(after rowid: Int64, limit: Int) throws(StoreError) -> [Arrival] {
        try read { db in
            try Row.fetchAll(
                db, sql: "SELECT rowid, bytes, signature FROM events WHERE rowid > ? ORDER BY rowid LIMIT ?", arguments: [rowid, limit]
            ).map {
                Arrival(
                    position: $0["rowid"],
                    event: try SignedEvent(bytes: $0.bytes("bytes"), signature: $0.bytes("signature"), verifySignature: false))
            }
        }
    }

    /// The relay id kept in `meta`, if one was made (`relayID()` makes one).
    public func storedRelayID() throws(StoreError) -> [UInt8]? {
        try read { db in try Data.fetchOne(db, sql: "SELECT value FROM meta WHERE key = 'relay_id'").map { Array($0) } }
    }
}
