import Foundation
import GRDB
import LedgerProtocol
import LedgerStore

/// A SQLite relay's request nonces, in a file of their own beside the ledger (`nonces.sqlite`): a nonce
/// is recorded before its request's body is read, so it must never wait for a push being stored in the
/// ledger. Commits do not wait for the disk: a power cut may forget the last nonces, reopening the
/// 5-minute signature window for requests already answered, a risk that costs no fsync per request.
final class NonceFile: Sendable {
    private let queue: DatabaseQueue

    /// Opens or makes the file; a new one takes over the recent nonces an earlier version kept in the ledger.
    init(besideLedger ledger: Ledger, nowMs: UInt64 = wallClockMs()) throws {
        let path = URL(fileURLWithPath: ledger.path).deletingLastPathComponent().appendingPathComponent("nonces.sqlite").path
        let isNew = !FileManager.default.fileExists(atPath: path)
        queue = try SideDatabase.open(path: path, waitsForDisk: false)
        let earlier = isNew ? try ledger.requestNonces(since: RequestSignature.nonceHorizon(nowMs)) : []
        try queue.write { db in
            try db.execute(sql: "CREATE TABLE IF NOT EXISTS request_nonces (nonce TEXT PRIMARY KEY, time INTEGER NOT NULL)")
            for (nonce, time) in earlier {
                try db.execute(sql: "INSERT OR IGNORE INTO request_nonces (nonce, time) VALUES (?, ?)", arguments: [nonce, time])
            }
        }
    }

    /// Records a nonce; false when it was seen before (a replay).
    func accept(_ nonce: String, timeMs: UInt64, nowMs: UInt64) throws -> Bool {
        try queue.write { db in
            try db.execute(sql: "DELETE FROM request_nonces WHERE time < ?", arguments: [RequestSignature.nonceHorizon(nowMs)])
            try db.execute(sql: "INSERT OR IGNORE INTO request_nonces (nonce, time) VALUES (?, ?)", arguments: [nonce, Int64(timeMs)])
            return db.changesCount == 1
        }
    }
}

extension RequestSignature {
    /// Nonces recorded before this time may be forgotten: their requests, older than twice the signature
    /// window, are refused by time anyway.
    static func nonceHorizon(_ nowMs: UInt64) -> Int64 { Int64(nowMs) - Int64(maxSkewMs) * 2 }
}
