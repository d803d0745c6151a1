import Foundation
import GRDB
import LedgerProtocol

extension Ledger {
    /// Event ids stored after arrival row `cursor`, in arrival order: what a relay's transparency log
    /// appends next (SPEC 6.17).
    public func eventIDs(after cursor: Int64, limit: Int) throws(StoreError) -> [(row: Int64, id: LedgerID)] {
        try read { db in
            try Row.fetchAll(db, sql: "SELECT rowid, id FROM events WHERE rowid > ? ORDER BY rowid LIMIT ?", arguments: [cursor, limit])
                .compactMap { row in (row["id"] as Data?).flatMap { LedgerID(bytes: $0) }.map { (row["rowid"], $0) } }
        }
    }

    /// The arrival row of a stored event, nil if it is not stored.
    public func arrivalRow(of id: LedgerID) throws(StoreError) -> Int64? {
        try read { db in try Int64.fetchOne(db, sql: "SELECT rowid FROM events WHERE id = ?", arguments: [Data(id.bytes)]) }
    }
}
