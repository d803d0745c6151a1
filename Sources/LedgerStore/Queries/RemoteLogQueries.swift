import Foundation
import GRDB
import LedgerModel
import LedgerProtocol

/// A relay's transparency log as this workspace last checked it (SPEC 6.17).
public struct RemoteLog: Sendable, Equatable {
    public var logKey: String
    /// The signed note of the last checkpoint accepted, if any.
    public var checkpoint: String?
    /// The leaves pulled so far, nil when pulls began before the relay kept a log.
    public var frontier: MerkleFrontier?
}

extension Ledger {
    /// Each remote's transparency log as this workspace checked it, for `audit --relay` and the dashboard.
    public func relayLogs() throws(StoreError) -> [RelayLogView] {
        let announced = try announcedLogKeys()
        var views = [RelayLogView]()
        for remote in try remotes() {
            let log = try remoteLog(remote.name)
            let witnesses = if let log { try witnesses(key: log.logKey) } else { [LogWitness]() }
            let checkpoint = log?.checkpoint.flatMap { try? Checkpoint(unverifiedNote: $0) }
            views.append(
                RelayLogView(
                    remote: remote.name, url: remote.url, logKey: log?.logKey, announced: log.map { announced.contains($0.logKey) } ?? false,
                    size: checkpoint?.size, root: checkpoint.map { Hex.encode($0.root) }, checkpoint: log?.checkpoint,
                    pagesChecked: log?.frontier != nil, witnesses: witnesses))
        }
        return views
    }

    /// Relay log keys the team's admins announced (`relay.announce` events that count), oldest first.
    public func announcedLogKeys() throws(StoreError) -> [String] {
        try read { db in try String.fetchAll(db, sql: "SELECT key FROM relay_announcements GROUP BY key ORDER BY min(ord)") }
    }

    public func remoteLog(_ remote: String) throws(StoreError) -> RemoteLog? {
        try read { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT * FROM remote_logs WHERE remote = ?", arguments: [remote]) else { return nil }
            let size: Int64 = row["frontier_size"]
            let blob: Data = row["frontier"]
            let hashes = stride(from: 0, to: blob.count, by: 32).map {
                [UInt8](blob[blob.startIndex + $0..<blob.startIndex + min($0 + 32, blob.count)])
            }
            return RemoteLog(
                logKey: row["log_key"], checkpoint: row["checkpoint"],
                frontier: size < 0 ? nil : MerkleFrontier(size: UInt64(size), hashes: hashes))
        }
    }

    /// Pins a relay's log key; the pulls so far are checkable only if there were none.
    public func pinLog(remote: String, logKey: String, pulledBefore: Bool) throws(StoreError) {
        try write { db in
            try db.execute(
                sql: "INSERT INTO remote_logs (remote, log_key, frontier_size, frontier, pinned_ms) VALUES (?, ?, ?, x'', ?)",
                arguments: [remote, logKey, pulledBefore ? -1 : 0, Int64(wallClockMs())])
        }
    }

    /// Forgets a relay's pinned log key, last checkpoint, receipts and pull cursor (the evidence of
    /// failed checks stays), for a relay restored from a backup, whose log (under a new key) and arrival
    /// order start again: the next sync pulls everything again (what is held is not verified twice), so
    /// nothing re-pushed below the old cursor is missed, and pins whatever log the relay announces then.
    public func forgetLog(remote: String) throws(StoreError) {
        try write { db in
            try db.execute(sql: "UPDATE remotes SET cursor = 0 WHERE name = ?", arguments: [remote])
            try db.execute(sql: "DELETE FROM remote_logs WHERE remote = ?", arguments: [remote])
            try db.execute(sql: "DELETE FROM log_receipts WHERE remote = ?", arguments: [remote])
        }
    }

    public func acceptCheckpoint(remote: String, note: String) throws(StoreError) {
        try write { db in try db.execute(sql: "UPDATE remote_logs SET checkpoint = ? WHERE remote = ?", arguments: [note, remote]) }
    }

    /// Moves the pulled leaves' frontier; meant for `ingest(afterwards:)`, with the pull cursor.
    public static func setLogFrontier(_ db: Database, remote: String, frontier: MerkleFrontier) throws {
        try db.execute(
            sql: "UPDATE remote_logs SET frontier_size = ?, frontier = ? WHERE remote = ? AND frontier_size >= 0",
            arguments: [Int64(frontier.size), Data(frontier.hashes.flatMap { $0 }), remote])
    }

    /// Records where a relay logged this workspace's own events; meant for `ingest(afterwards:)`.
    public static func addReceipts(_ db: Database, remote: String, _ receipts: [(id: LedgerID, position: UInt64)]) throws {
        let insert = try db.makeStatement(sql: "INSERT OR IGNORE INTO log_receipts (remote, event, position) VALUES (?, ?, ?)")
        for r in receipts { try insert.execute(arguments: [remote, Data(r.id.bytes), Int64(r.position)]) }
    }

    public func receipts(remote: String) throws(StoreError) -> [(id: LedgerID, position: UInt64)] {
        try read { db in
            try Row.fetchAll(db, sql: "SELECT event, position FROM log_receipts WHERE remote = ? ORDER BY position", arguments: [remote]).compactMap {
                row in
                (row["event"] as Data?).flatMap { LedgerID(bytes: $0) }.map { ($0, UInt64(row["position"] as Int64)) }
            }
        }
    }

    public func recordEvidence(_ e: LogEvidence) throws(StoreError) {
        try write { db in
            try db.execute(
                sql: "INSERT INTO log_evidence (remote, code, message, accepted, served, proof, time_ms) VALUES (?, ?, ?, ?, ?, ?, ?)",
                arguments: [e.remote, e.code, e.message, e.accepted, e.served, e.proof, e.timeMs])
        }
    }

    public func logEvidence() throws(StoreError) -> [LogEvidence] {
        try read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM log_evidence ORDER BY id").map { row in
                LogEvidence(
                    remote: row["remote"], code: row["code"], message: row["message"], accepted: row["accepted"], served: row["served"],
                    proof: row["proof"], timeMs: row["time_ms"])
            }
        }
    }
}
