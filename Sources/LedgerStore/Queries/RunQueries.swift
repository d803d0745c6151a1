import Foundation
import GRDB
import LedgerModel
import LedgerProtocol

extension Ledger {
    public func experiments() throws(StoreError) -> [ExperimentView] {
        try read { db in
            let authors = Authors(names: try names(db))
            return try Row.fetchAll(
                db,
                sql: """
                    SELECT e.id, \(CurrentName.of("e")) AS name, e.author, e.clock, count(r.id) AS runs,
                        max(e.clock, coalesce(max(r.clock), 0)) AS last
                    FROM experiments e LEFT JOIN runs r ON r.experiment = e.id
                    GROUP BY e.id ORDER BY name
                    """
            ).map { row in
                let id: LedgerID = row["id"]
                return ExperimentView(
                    id: id.hex, name: row["name"], description: try description(of: id, db),
                    createdBy: authors.view(row), createdAt: Self.ms(row["clock"]),
                    runCount: row["runs"], lastActivity: Self.ms(row["last"]))
            }
        }
    }

    /// Runs, newest first; of one experiment when given.
    public func runs(experiment: LedgerID? = nil) throws(StoreError) -> [RunView] {
        try read { db in
            let ids = try LedgerID.fetchAll(
                db,
                sql: """
                    SELECT id FROM runs WHERE ?1 IS NULL OR experiment = ?1 ORDER BY clock DESC, id
                    """, arguments: [experiment])
            let authors = Authors(names: try names(db))
            return try ids.map { try runView($0, db, authors) }
        }
    }

    public func run(_ id: LedgerID) throws(StoreError) -> RunView {
        try read { db in try runView(id, db, Authors(names: try names(db))) }
    }

    func runView(_ id: LedgerID, _ db: Database, _ authors: Authors) throws -> RunView {
        guard
            let row = try Row.fetchOne(
                db,
                sql: """
                    SELECT r.*, \(CurrentName.of("e")) AS experiment_name, s.status, s.end_time, s.exit_code
                    FROM runs r LEFT JOIN experiments e ON e.id = r.experiment LEFT JOIN run_status s ON s.run = r.id
                    WHERE r.id = ?
                    """, arguments: [id])
        else { throw StoreError.notFound(what: "run", name: id.short) }
        func pairs(_ sql: String) throws -> [String: String] {
            Dictionary(uniqueKeysWithValues: try Row.fetchAll(db, sql: sql, arguments: [id]).map { ($0[0], $0[1]) })
        }
        var metrics = [String: MetricSummary]()
        for m in try Row.fetchAll(db, sql: "SELECT * FROM metric_summary WHERE run = ?", arguments: [id]) {
            metrics[m["key"]] = MetricSummary(row: m)
        }
        let artifacts = try Self.artifactFiles(.run, id, db).map(ArtifactView.init)
        var view = Self.runView(
            row, authors: authors, params: try pairs("SELECT key, value FROM params WHERE run = ?"),
            tags: try pairs("SELECT key, value FROM run_tags WHERE run = ? AND value IS NOT NULL"), metrics: metrics, artifacts: artifacts)
        view.datasets = try Self.datasets(of: id, db)
        view.outputs = try LedgerID.fetchAll(db, sql: "SELECT model FROM run_outputs WHERE run = ? ORDER BY ord", arguments: [id]).map(\.hex)
        view.imported = try Self.importView(id, db)
        return view
    }

    /// A run from its row (runs joined with its experiment's name and status) and its details.
    static func runView(
        _ row: Row, authors: Authors, params: [String: String], tags: [String: String],
        metrics: [String: MetricSummary], artifacts: [ArtifactView]
    ) -> RunView {
        let id: LedgerID = row["id"]
        let experiment: LedgerID = row["experiment"]
        return RunView(
            id: id.hex, experimentID: experiment.hex, experiment: row["experiment_name"], name: row["name"],
            author: authors.view(row), status: (row["status"] as String?).flatMap(RunStatus.init) ?? .running,
            startTime: row["start_time"], endTime: row["end_time"], exitCode: row["exit_code"],
            gitCommit: row["git_commit"], gitDirty: row["git_dirty"], command: row["command"], host: row["host"],
            environment: row["environment"], params: params, tags: tags, metrics: metrics, artifacts: artifacts)
    }

    /// Every point of one metric of a run, by step, then timestamp, then merge order.
    public func metricHistory(run: LedgerID, key: String) throws(StoreError) -> [MetricPoint] {
        try read { db in
            var points = [MetricPoint]()
            for row in try Row.fetchAll(db, sql: "SELECT points FROM metric_chunks WHERE run = ? AND key = ? ORDER BY ord", arguments: [run, key]) {
                points += MetricPoint.unpack(row.bytes("points")) ?? []
            }
            // Series are usually logged in order: a million points then need no sort.
            if zip(points, points.dropFirst()).allSatisfy({ ($0.step, $0.timestamp) <= ($1.step, $1.timestamp) }) { return points }
            // A stable sort keeps merge order among equal (step, timestamp).
            return points.enumerated().sorted { a, b in
                (a.element.step, a.element.timestamp, a.offset) < (b.element.step, b.element.timestamp, b.offset)
            }.map(\.element)
        }
    }

    /// The text of an entity's description register (the winner if concurrent edits conflict).
    func description(of entity: LedgerID, _ db: Database) throws -> String? {
        try descriptionRegister(of: entity, db).winner?.value
    }

    func descriptionRegister(of entity: LedgerID, _ db: Database) throws -> RegisterState<String> {
        let writes = try Row.fetchAll(db, sql: "SELECT event, text, clock FROM descriptions WHERE entity = ?", arguments: [entity])
            .map { row in
                RegisterWrite(
                    event: row["event"], clock: UInt64(bitPattern: row["clock"]),
                    heads: try supersededBy(row["event"], db), value: row["text"] as String)
            }
        return RegisterState(writes: writes)
    }

    /// The heads an event named (the writes it replaced).
    func supersededBy(_ event: LedgerID, _ db: Database) throws -> [LedgerID] {
        try LedgerID.fetchAll(db, sql: "SELECT superseded FROM supersedes WHERE event = ?", arguments: [event])
    }

    static func ms(_ clock: Int64) -> Int64 { Int64(HybridClock.milliseconds(UInt64(bitPattern: clock))) }
}
