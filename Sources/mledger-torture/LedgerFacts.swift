import Foundation
import GRDB
import LedgerProtocol

/// What a ledger file counts, read without opening it for writing: per author how many events, distinct
/// seqs and the highest seq, and a hash over all event ids, leaving out stored events that count nowhere
/// (past a fork's bound, say, which one receiver stored before it knew of the fork and another refused).
/// Equal facts mean the same counted events.
struct LedgerFacts: Equatable, CustomStringConvertible {
    struct Chain: Equatable {
        var events: Int
        var seqs: Int
        var highest: Int64
    }

    var chains: [String: Chain]
    var events: Int
    var idsHash: LedgerID

    static func read(_ path: String) throws -> LedgerFacts {
        var config = Configuration()
        config.readonly = true
        config.busyMode = .timeout(10)
        let db = try DatabaseQueue(path: path, configuration: config)
        return try db.read { db in
            var chains = [String: Chain]()
            let counted = "FROM events WHERE id NOT IN (SELECT event FROM held_events)"
            for row in try Row.fetchAll(db, sql: "SELECT author, count(*) AS n, count(DISTINCT seq) AS s, max(seq) AS h \(counted) GROUP BY author") {
                chains[Hex.encode(row["author"] as Data? ?? Data())] = Chain(events: row["n"], seqs: row["s"], highest: row["h"])
            }
            var ids = [UInt8]()
            for id in try Data.fetchAll(db, sql: "SELECT id \(counted) ORDER BY id") { ids += id }
            return LedgerFacts(chains: chains, events: chains.values.reduce(0) { $0 + $1.events }, idsHash: Hashing.blake2b256(ids))
        }
    }

    /// The ids among `ids` that the ledger file does not hold.
    static func missing(_ ids: Set<String>, in path: String) throws -> [String] {
        var config = Configuration()
        config.readonly = true
        let db = try DatabaseQueue(path: path, configuration: config)
        let present = try db.read { db in Set(try Data.fetchAll(db, sql: "SELECT id FROM events").map { Hex.encode(Array($0)) }) }
        return ids.subtracting(present).sorted()
    }

    /// Authors whose chain has a gap (a lost event) or more events than seqs (a duplicate or a fork).
    var brokenChains: [String] {
        chains.filter { $0.value.seqs != $0.value.highest || $0.value.events != $0.value.seqs }.map { String($0.key.prefix(12)) }.sorted()
    }

    var description: String { "\(events) events from \(chains.count) authors, ids \(idsHash.short)" }
}
