import Foundation
import GRDB
import LedgerProtocol

/// A stored event and its place in this ledger's arrival order (on a relay, the order pulls serve).
public struct Arrival: Sendable {
    public let position: Int64
    public let event: SignedEvent
}

extension Ledger {
    /// Counted events of the given kinds stored after `position`, in arrival order: at most `limit`, from
    /// at most `scanLimit` rows. `scannedTo` is where the next call may start when fewer came back, so a
    /// reader of rare kinds moves past the metric batches between them. Held events (stored, counting
    /// nowhere) are left out: nothing they claim happened.
    public func arrivals(
        after position: Int64, kinds: Set<String>, limit: Int, scanLimit: Int = 10_000
    ) throws(StoreError) -> (
        arrivals: [Arrival], scannedTo: Int64
    ) {
        try read { db in
            var out = [Arrival]()
            var scanned = position
            let rows = try Row.fetchCursor(
                db, sql: "SELECT rowid, id, kind, bytes, signature FROM events WHERE rowid > ? ORDER BY rowid LIMIT ?",
                arguments: [position, scanLimit])
            while out.count < limit, let row = try rows.next() {
                scanned = row["rowid"]
                guard kinds.contains(row["kind"] as String) else { continue }
                let id: Data = row["id"]
                if try Bool.fetchOne(db, sql: "SELECT 1 FROM held_events WHERE event = ?", arguments: [id]) == true { continue }
                let event = try SignedEvent(bytes: row.bytes("bytes"), signature: row.bytes("signature"), verifySignature: false)
                out.append(Arrival(position: scanned, event: event))
            }
            return (out, scanned)
        }
    }

    /// The position of the last stored event (0 when there is none): where a new subscription starts.
    public func lastArrival() throws(StoreError) -> Int64 {
        try read { db in try Int64.fetchOne(db, sql: "SELECT max(rowid) FROM events") ?? 0 }
    }
}
