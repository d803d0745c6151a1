import Foundation
import GRDB
import LedgerProtocol

/// The floor under `append` for `make bench`: what SQLite alone takes to store event rows, so the bench
/// can print signed appends as a share of this machine's limit. Rows go into a fresh ledger's `events`
/// table (same schema, WAL, synchronous=FULL) with one prepared statement; nothing is checked, no view
/// is written. It refuses an existing file, so it never writes unchecked rows into a real ledger.
public enum RawInsert {
    public static func insert(_ events: [SignedEvent], intoNewLedgerAt path: String, perTransaction: Int) throws(StoreError) {
        guard !FileManager.default.fileExists(atPath: path) else {
            throw StoreError.invalidInput("\(path) exists already; the raw insert measure writes only to a new file")
        }
        let queue = try LedgerDatabase.open(path: path, cacheMiB: 64)
        do {
            var start = 0
            while start < events.count {
                let end = min(start + perTransaction, events.count)
                try queue.write { db in
                    let statement = try db.makeStatement(sql: Ledger.insertEventSQL)
                    for event in events[start..<end] { try Ledger.insert(event, with: statement) }
                }
                start = end
            }
        } catch {
            throw StoreError.wrap(error)
        }
    }
}
