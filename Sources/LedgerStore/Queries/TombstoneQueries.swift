import Foundation
import GRDB
import LedgerModel
import LedgerProtocol

extension Ledger {
    /// Every entity whose latest tombstone deletes it (hex ids), so a listing hides them in one pass.
    public func deletedIDs() throws(StoreError) -> Set<String> {
        try read { db in Set(try LedgerID.fetchAll(db, sql: "SELECT entity FROM tombstones WHERE deleted = 1").map(\.hex)) }
    }

    /// Items as lists show them: without those a tombstone deletes. (The MLflow endpoint reads deleted ones
    /// too, for its DELETED_ONLY view type and a deleted run's lifecycle stage.)
    public func withoutDeleted<Item>(_ items: [Item], id: (Item) -> String) throws(StoreError) -> [Item] {
        let deleted = try deletedIDs()
        return items.filter { !deleted.contains(id($0)) }
    }

    /// Models as lists show them: deleted models and deleted versions left out.
    public func liveModels() throws(StoreError) -> [ModelView] {
        let deleted = try deletedIDs()
        return try models().filter { !deleted.contains($0.id) }.map { m in
            var m = m
            m.versions.removeAll { deleted.contains($0.id) }
            return m
        }
    }

    /// An experiment's tags (the latest value of each key).
    public func experimentTags(_ experiment: LedgerID) throws(StoreError) -> [String: String] {
        try read { db in
            Dictionary(
                try Row.fetchAll(
                    db, sql: "SELECT key, value FROM experiment_tags WHERE experiment = ? AND value IS NOT NULL", arguments: [experiment]
                )
                .map { ($0["key"], $0["value"]) }, uniquingKeysWith: { a, _ in a })
        }
    }
}
