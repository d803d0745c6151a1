import GRDB
import LedgerProtocol

extension Ledger {
    /// Whether a run with exactly this id exists (a point lookup, cheap enough for every logging call).
    public func runExists(_ id: LedgerID) throws(StoreError) -> Bool {
        try read { db in try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM runs WHERE id = ?)", arguments: [id]) ?? false }
    }

    /// The hybrid clock of a stored event: a writer continuing a chain starts above it.
    public func clock(of event: LedgerID) throws(StoreError) -> UInt64? {
        try read { db in
            try Int64.fetchOne(db, sql: "SELECT clock FROM events WHERE id = ?", arguments: [event]).map { UInt64(bitPattern: $0) }
        }
    }

    /// The texts of the comments on an entity, oldest first.
    public func commentTexts(on target: LedgerID) throws(StoreError) -> [String] {
        try read { db in
            try String.fetchAll(db, sql: "SELECT text FROM comments WHERE target = ? ORDER BY clock, id", arguments: [target])
        }
    }
}
