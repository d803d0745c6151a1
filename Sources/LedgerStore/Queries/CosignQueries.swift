import Foundation
import GRDB
import LedgerModel
import LedgerProtocol

/// A member's cosignature of a relay checkpoint (SPEC 6.18), as this ledger holds it.
public struct Cosignature: Sendable, Equatable {
    public var event: LedgerID
    /// The device that signed the cosignature.
    public var author: PublicKey
    public var checkpoint: Checkpoint
    /// The relay's signed note, as cosigned.
    public var note: String
}

/// The cosignatures of one checkpoint not checked yet (by one member or several): one check answers
/// for all of them.
public struct UncheckedCosignatures: Sendable {
    /// One of them, to name in evidence.
    public var first: Cosignature
    public var events: [LedgerID]
}

extension Ledger {
    /// Cosignatures of `key`'s checkpoints this workspace has not checked, one group per checkpoint,
    /// other than `device`'s (checked when it made them). Every distinct checkpoint is checked: a member's
    /// cosignatures need not form one chain (they may come from two remotes of one log).
    public func uncheckedCosignatures(key: String, except device: PublicKey) throws(StoreError) -> [UncheckedCosignatures] {
        let origin: String
        do { origin = try SignedNote.parseVerifierKey(key).name } catch { throw .invalidInput("not a log verifier key: \(key)") }
        return try read { db in
            let rows = try Row.fetchAll(
                db,
                sql: """
                    SELECT c.event, c.author, c.size, c.root, c.checkpoint FROM relay_cosignatures c
                    WHERE c.key = ? AND c.author != ? AND NOT EXISTS (SELECT 1 FROM cosign_checks k WHERE k.event = c.event)
                    ORDER BY c.size, c.root, c.event
                    """, arguments: [key, device])
            return Self.grouped(rows, origin: origin)
        }
    }

    private static func grouped(_ rows: [Row], origin: String) -> [UncheckedCosignatures] {
        var groups = [UncheckedCosignatures]()
        for row in rows {
            guard let event = row["event"] as LedgerID?, let author = row["author"] as PublicKey? else { continue }
            let size: Int64 = row["size"]
            let root: Data = row["root"]
            let checkpoint = Checkpoint(origin: origin, size: UInt64(size), root: [UInt8](root))
            if groups.last?.first.checkpoint == checkpoint {
                groups[groups.count - 1].events.append(event)
                continue
            }
            let first = Cosignature(event: event, author: author, checkpoint: checkpoint, note: row["checkpoint"])
            groups.append(UncheckedCosignatures(first: first, events: [event]))
        }
        return groups
    }

    /// Records what checking cosignatures against `remote`'s log found.
    public func markCosignaturesChecked(_ events: [LedgerID], remote: String, consistent: Bool) throws(StoreError) {
        try write { db in
            let insert = try db.makeStatement(sql: "INSERT OR REPLACE INTO cosign_checks (event, remote, ok) VALUES (?, ?, ?)")
            for event in events { try insert.execute(arguments: [event, remote, consistent]) }
        }
    }

    /// Whether `device` should cosign a checkpoint of `size` entries of `key`'s log (SPEC 6.18): its chain
    /// is not forked, the checkpoint is larger than any the device cosigned, and since the device's last
    /// cosignature it wrote an event other than a cosignature, or, `interval` ms after that cosignature
    /// (or after the log was pinned), received one. Syncs that exchange only cosignatures thus settle,
    /// and read-only syncs stay read-only for an interval.
    public func cosignatureDue(key: String, device: PublicKey, size: UInt64, interval: Int64, nowMs: Int64) throws(StoreError) -> Bool {
        try read { db in
            // A key that signed two histories (a restored backup, a copied key) witnesses nothing more.
            if try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM forks WHERE author = ?)", arguments: [device]) == true { return false }
            let last = try Row.fetchOne(
                db,
                sql: """
                    SELECT max(c.size) AS size, max(e.rowid) AS row, max(e.clock) AS clock FROM relay_cosignatures c
                    JOIN events e ON e.id = c.event WHERE c.key = ? AND c.author = ?
                    """, arguments: [key, device])
            if let cosigned = last?["size"] as Int64?, UInt64(cosigned) >= size { return false }
            let after = last?["row"] as Int64? ?? 0
            let other = EventKind.relayCosign.rawValue
            let wrote = try Bool.fetchOne(
                db, sql: "SELECT EXISTS (SELECT 1 FROM events WHERE rowid > ? AND author = ? AND kind != ?)", arguments: [after, device, other])
            if wrote == true { return true }
            let since =
                try (last?["clock"] as Int64?).map { Int64(HybridClock.milliseconds(UInt64(bitPattern: $0))) }
                ?? Int64.fetchOne(db, sql: "SELECT min(pinned_ms) FROM remote_logs WHERE log_key = ?", arguments: [key]) ?? nowMs
            guard nowMs - since >= interval else { return false }
            return try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM events WHERE rowid > ? AND kind != ?)", arguments: [after, other])
                ?? false
        }
    }

    /// The name of a device's member (or of the key itself), else its fingerprint.
    public func authorName(_ key: PublicKey) throws(StoreError) -> String {
        try read { db in
            let member = try PublicKey.fetchOne(db, sql: "SELECT member FROM devices WHERE device = ?", arguments: [key]) ?? key
            return try names(db)[member] ?? member.fingerprint
        }
    }

    /// Per member, the largest checkpoint of `key`'s log they cosigned, and what this workspace's checks
    /// of their cosignatures found: inconsistent if any was, consistent once all were checked.
    public func witnesses(key: String) throws(StoreError) -> [LogWitness] {
        try read { db in try witnesses(db, key: key) }
    }

    private func witnesses(_ db: Database, key: String) throws -> [LogWitness] {
        let authors = Authors(names: try names(db))
        return try Row.fetchAll(
            db,
            sql: """
                SELECT coalesce(d.member, c.author) AS member, c.size, c.root, k.ok FROM relay_cosignatures c
                LEFT JOIN devices d ON d.device = c.author LEFT JOIN cosign_checks k ON k.event = c.event
                WHERE c.key = ? ORDER BY member, c.size DESC
                """, arguments: [key]
        ).reduce(into: [LogWitness]()) { out, row in
            let member = authors.view(row, "member")
            let ok: Bool? = row["ok"]
            guard out.last?.member == member else {
                let root = Hex.encode([UInt8](row["root"] as Data))
                return out.append(LogWitness(member: member, size: UInt64(row["size"] as Int64), root: root, consistent: ok))
            }
            let sofar = out[out.count - 1].consistent
            out[out.count - 1].consistent = sofar == false || ok == false ? false : (sofar == true && ok == true ? true : nil)
        }
    }
}
