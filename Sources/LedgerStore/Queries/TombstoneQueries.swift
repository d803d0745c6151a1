import Foundation
import GRDB
import LedgerModel
import LedgerProtocol

extension Ledger {
    /// Every entity whose latest tombstone deletes it (hex ids), so a listing hides them in one pass.
    public func deletedIDs() throws(StoreError) -> Set<String> {
        try read { db in Set(try LedgerID.fetchAll(db, sql: "SELECT entity FROM tombstones WHERE deleted = 1").map(\.hex)) }
    }

    /// An experiment's tags (the latest value of each key).
    public func experimentTags(_ experiment: LedgerID) throws(StoreError) -> [String: String] {
        try read { db in
            Dictionary(
                try Row.fetchAll(db, sql: "SELECT key, value FROM experiment_tags WHERE experiment = ?", arguments: [experiment])
                    .map { ($0["key"], $0["value"]) }, uniquingKeysWith: { a, _ in a })
        }
    }
}
