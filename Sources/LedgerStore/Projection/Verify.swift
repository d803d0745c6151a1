import Dispatch
import Foundation
import GRDB
import LedgerModel
import LedgerProtocol

/// What `verify` found: every altered or invalid event, named by its row and id.
public struct VerifyReport: Codable, Sendable {
    public struct Problem: Codable, Sendable, Equatable {
        /// The row in the `events` table.
        public var row: Int64
        public var event: String
        public var code: String
        public var message: String
    }

    public var events = 0
    public var authors = 0
    public var problems: [Problem] = []
    public var forks: [ForkView] = []
    /// Projection tables whose content differs from a rebuild from the events (nil when not checked).
    public var projectionMismatches: [String]?
    public var ok: Bool { problems.isEmpty && (projectionMismatches ?? []).isEmpty }
}

extension Ledger {
    /// Re-checks every stored event: its id is the hash of its bytes, its columns match its bytes, its
    /// signature is valid, its body is valid, and its chain links are intact. With `projections`, also
    /// rebuilds the views in a transaction that is rolled back and compares them with the stored ones.
    public func verify(projections: Bool = true, progress: (@Sendable (Int, Int) -> Void)? = nil) throws(StoreError) -> VerifyReport {
        var report = VerifyReport()
        let team = try self.team()
        var links = [StoredLink]()
        let total = try eventCount()
        report.events = total
        // While the workers check one chunk, the next is read, so both cores stay on signatures.
        let chunkSize = 4096
        var lastRow: Int64 = 0
        var pending: Background<[RowCheck]>?
        func collect(_ checks: [RowCheck]) {
            for check in checks {
                if let p = check.problem { report.problems.append(p) }
                links += check.links
            }
            progress?(links.count, total)
        }
        while true {
            // Read through a cursor: each row is copied once, into its StoredRow, with no Row kept.
            let rows = try read { db in
                try Array(
                    Row.fetchCursor(
                        db,
                        sql: """
                            SELECT rowid, id, author, seq, clock, kind, bytes, signature FROM events
                            WHERE rowid > ? ORDER BY rowid LIMIT ?
                            """, arguments: [lastRow, chunkSize]
                    ).map(StoredRow.init))
            }
            if let pending { collect(pending.wait()) }
            guard let last = rows.last else { break }
            lastRow = last.rowid
            pending = Background { Self.checkInParallel(rows, team: team) }
        }
        let chains = ChainCheck(links)
        report.problems += chains.problems
        report.authors = chains.authors
        report.forks = chains.forks.map { fork in
            ForkView(author: AuthorView(key: fork.author, name: nil), seq: fork.seq, events: fork.ids.map(\.hex))
        }
        report.problems.sort { $0.row < $1.row }
        // Views are compared only with intact events: a rebuild from altered events proves nothing.
        if projections, report.problems.isEmpty {
            report.projectionMismatches = try projectionMismatches()
        }
        return report
    }

    /// Tables whose stored rows differ from what the events give.
    private func projectionMismatches() throws(StoreError) -> [String] {
        do {
            return try queue.writeWithoutTransaction { db in
                var mismatches = [String]()
                try db.inTransaction(.immediate) {
                    let stored = try Self.digests(db).tables
                    try Self.rebuild(db)
                    let rebuilt = try Self.digests(db).tables
                    mismatches = Schema.projectionTables.map(\.name).filter { stored[$0] != rebuilt[$0] }
                    return .rollback
                }
                return mismatches
            }
        } catch {
            throw StoreError.wrap(error)
        }
    }

    private static func checkInParallel(_ rows: [StoredRow], team: LedgerID?) -> [RowCheck] {
        Parallel.map(count: rows.count, minimumForThreads: 1) { rows[$0].check(team: team) }
    }
}

/// An `events` row as stored, columns and bytes, before any trust in either.
struct StoredRow: Sendable {
    var rowid: Int64
    var id: [UInt8]
    var author: [UInt8]
    var seq: Int64
    var clock: Int64
    var kind: String
    var bytes: [UInt8]
    var signature: [UInt8]

    /// Columns of the wrong type (a tampered row) read as empty or -1, and fail the checks below.
    init(_ row: Row) {
        rowid = row["rowid"] as Int64? ?? -1
        id = row.bytes("id")
        author = row.bytes("author")
        seq = row["seq"] as Int64? ?? -1
        clock = row["clock"] as Int64? ?? -1
        kind = row["kind"] as String? ?? ""
        bytes = row.bytes("bytes")
        signature = row.bytes("signature")
    }

    /// Checks one row. A row that fails still takes its place in its author's chain (from its columns),
    /// so only the altered row is reported, not the innocent events after it.
    func check(team: LedgerID?) -> RowCheck {
        let hex = Hex.encode(id)
        // A reported row stands at the position its columns claim and the one its bytes claim, under
        // both ids, so the next event links to it whichever part was changed.
        let ids = [LedgerID(bytes: id) ?? .zero, Hashing.blake2b256(bytes)]
        var placeholders = [StoredLink]()
        if let key = PublicKey(bytes: author) {
            placeholders.append(StoredLink(row: rowid, ids: ids, author: key, seq: UInt64(bitPattern: seq), prev: nil, clock: nil))
        }
        func problem(_ code: String, _ message: String) -> RowCheck {
            RowCheck(problem: .init(row: rowid, event: hex, code: code, message: message), links: placeholders)
        }
        let event: SignedEvent
        do {
            event = try SignedEvent(bytes: bytes, signature: signature, verifySignature: false)
        } catch {
            return problem(error.code, error.description)
        }
        let env = event.envelope
        placeholders.append(StoredLink(row: rowid, ids: ids, author: env.author, seq: env.seq, prev: nil, clock: nil))
        guard event.id.bytes == id else {
            return problem("id_mismatch", "the stored bytes hash to \(event.id.short), not to the row's id: the event was altered")
        }
        guard env.author.bytes == author, Int64(bitPattern: env.seq) == seq,
            env.clock.sqlInteger == clock, env.kind.rawValue == kind
        else {
            return problem("column_mismatch", "the row's author, seq, clock or kind columns differ from its signed bytes")
        }
        guard event.hasValidSignature() else {
            return problem("bad_signature", EventError.badSignature.description)
        }
        do { _ = try event.body() } catch { return problem(error.code, error.description) }
        if let team, (env.kind == .teamGenesis ? event.id : env.team) != team {
            return problem("wrong_team", "the event belongs to another team")
        }
        return RowCheck(
            problem: nil, links: [StoredLink(row: rowid, ids: [event.id], author: env.author, seq: env.seq, prev: env.prev, clock: env.clock)])
    }
}

struct RowCheck: Sendable {
    var problem: VerifyReport.Problem?
    var links: [StoredLink]
}

struct StoredLink: Sendable {
    var row: Int64
    /// The event's id; for a row already reported as altered, both the id column and the bytes' hash,
    /// so the next event links to it whichever of the two was changed.
    var ids: [LedgerID]
    var author: PublicKey
    var seq: UInt64
    /// Nil when the row's bytes could not be trusted (it is reported already).
    var prev: LedgerID?
    var clock: UInt64?
}

/// Checks that every author's chain starts at 1, has no gaps, that each prev names the event before it
/// and each clock is above that event's; and lists forks (two events at one seq).
struct ChainCheck {
    struct Fork {
        var author: PublicKey
        var seq: UInt64
        var ids: [LedgerID]
    }

    var problems: [VerifyReport.Problem] = []
    var forks: [Fork] = []
    var authors = 0

    init(_ links: [StoredLink]) {
        let byAuthor = Dictionary(grouping: links, by: \.author)
        authors = byAuthor.count
        for (author, chain) in byAuthor.sorted(by: { $0.key < $1.key }) {
            let bySeq = Dictionary(grouping: chain, by: \.seq)
            for seq in bySeq.keys.sorted() {
                let here = bySeq[seq] ?? []
                let rows = Dictionary(grouping: here, by: \.row)
                if rows.count > 1 { forks.append(Fork(author: author, seq: seq, ids: rows.values.compactMap { $0[0].ids.first }.sorted())) }
                guard seq > 1 else { continue }
                let previous = bySeq[seq - 1] ?? []
                let before = Set(previous.flatMap(\.ids))
                for link in here {
                    if let prev = link.prev, let clock = link.clock,
                        let prevClock = previous.first(where: { $0.ids.contains(prev) })?.clock, clock <= prevClock
                    {
                        let error = EventError.staleClock(seq: seq)
                        problems.append(.init(row: link.row, event: link.ids[0].hex, code: error.code, message: error.description))
                    }
                    guard let prev = link.prev, !before.contains(prev) else { continue }
                    let message =
                        before.isEmpty
                        ? "seq \(seq - 1) of this author is missing: the chain is broken before this event"
                        : "prev does not name the author's event at seq \(seq - 1): the chain was altered"
                    problems.append(.init(row: link.row, event: link.ids[0].hex, code: before.isEmpty ? "seq_gap" : "wrong_prev", message: message))
                }
            }
        }
    }
}
