import Foundation
import GRDB
import LedgerModel
import LedgerProtocol

extension Ledger {
    /// Every run of an experiment with its params, tags and metric summaries (no artifacts), read in
    /// four queries instead of four per run: the plots load 10,000 runs at once.
    public func runSummaries(experiment: LedgerID) throws(StoreError) -> [RunView] {
        try read { db in try summaries(db, of: "r.experiment = ?1", [experiment]).map(\.run) }
    }

    /// The runs `scope` (a condition on `runs r`) selects, newest first, as `runSummaries` reads them,
    /// each with its rowid.
    func summaries(_ db: Database, of scope: String, _ arguments: StatementArguments = []) throws -> [(rowid: Int64, run: RunView)] {
        let authors = Authors(names: try names(db))
        // Cursors, column positions and runs keyed by rowid: this reads tens of thousands of rows per page view.
        func pairs(_ table: String) throws -> [Int64: [String: String]] {
            var byRun = [Int64: [String: String]]()
            let rows = try Row.fetchCursor(
                db,
                sql: """
                    SELECT r.rowid, t.key, t.value FROM runs r JOIN \(table) t ON t.run = r.id
                    WHERE \(scope) AND t.value IS NOT NULL
                    """, arguments: arguments)
            while let row = try rows.next() {
                byRun[row[0] as Int64, default: [:]][row[1] as String] = row[2] as String
            }
            return byRun
        }
        let params = try pairs("params")
        let tags = try pairs("run_tags")
        var metrics = [Int64: [String: MetricSummary]]()
        let summaryRows = try Row.fetchCursor(
            db,
            sql: """
                SELECT r.rowid, m.key, m.count, m.min, m.max, m.last_step, m.last_time, m.last_bits
                FROM runs r JOIN metric_summary m ON m.run = r.id WHERE \(scope)
                """, arguments: arguments)
        while let row = try summaryRows.next() {
            var m = MetricSummary()
            m.count = row[2]
            m.min = row[3]
            m.max = row[4]
            m.last = MetricPoint(step: row[5], timestamp: row[6], value: Double(bitPattern: UInt64(bitPattern: row[7])))
            metrics[row[0] as Int64, default: [:]][row[1] as String] = m
        }
        var views = [PublicKey: AuthorView]()
        var runs = [(rowid: Int64, run: RunView)]()
        let runRows = try Row.fetchCursor(
            db,
            sql: """
                SELECT r.id, r.name, r.author, r.start_time, r.git_commit, r.git_dirty, r.command, r.host, r.environment,
                       \(CurrentName.of("e")), s.status, s.end_time, s.exit_code, r.rowid, r.experiment
                FROM runs r JOIN experiments e ON e.id = r.experiment LEFT JOIN run_status s ON s.run = r.id
                WHERE \(scope) ORDER BY r.clock DESC, r.id
                """, arguments: arguments)
        while let row = try runRows.next() {
            let id: LedgerID = row[0]
            let rowid: Int64 = row[13]
            let experiment: LedgerID = row[14]
            let key: PublicKey = row[2]
            let author = views[key] ?? authors.view(key)
            views[key] = author
            runs.append(
                (
                    rowid,
                    RunView(
                        id: id.hex, experimentID: experiment.hex, experiment: row[9], name: row[1], author: author,
                        status: (row[10] as String?).flatMap(RunStatus.init) ?? .running, startTime: row[3], endTime: row[11],
                        exitCode: row[12], gitCommit: row[4], gitDirty: row[5], command: row[6], host: row[7], environment: row[8],
                        params: params[rowid] ?? [:], tags: tags[rowid] ?? [:], metrics: metrics[rowid] ?? [:], artifacts: [])
                ))
        }
        return runs
    }

    /// Comments on any of `targets`, oldest first.
    public func comments(on targets: [LedgerID]) throws(StoreError) -> [CommentView] {
        try read { db in
            let authors = Authors(names: try names(db))
            var all = [CommentView]()
            for target in targets {
                all += try Row.fetchAll(db, sql: "SELECT * FROM comments WHERE target = ?", arguments: [target]).map { row in
                    CommentView(
                        id: (row["id"] as LedgerID).hex, target: target.hex, replyTo: (row["reply_to"] as LedgerID?)?.hex,
                        author: authors.view(row), time: Self.ms(row["clock"]), text: row["text"])
                }
            }
            return all.sorted { ($0.time, $0.id) < ($1.time, $1.id) }
        }
    }

    /// Grows with every stored event: views read at the same mark are the same, so they can be cached.
    public func changeMark() throws(StoreError) -> Int64 {
        try read { db in try Int64.fetchOne(db, sql: "SELECT coalesce(max(rowid), 0) FROM events") ?? 0 }
    }
}
