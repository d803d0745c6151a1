import Foundation
import GRDB
import LedgerModel
import LedgerProtocol

/// A `RunSearch` as SQL over `runs r`: each param, tag or metric it names joined once by key, each
/// condition and sort key a function registered for this statement that calls the search's closure.
struct RunSearchSQL {
    private var from = "runs r LEFT JOIN experiments e ON e.id = r.experiment LEFT JOIN run_status s ON s.run = r.id"
    private var conditions: [String] = []
    private var keys: [String] = []
    private var order: [String] = []
    /// Placeholders in statement order: sort keys (select list), joins, conditions.
    private var keyArguments: StatementArguments = []
    private var joinArguments: StatementArguments = []
    private var conditionArguments: StatementArguments = []
    private var functions: [DatabaseFunction] = []
    private var joined: [RunSearch.Column: String] = [:]
    /// Set when the search only chooses experiments and deleted runs: then its count comes from indexes.
    private var plain: (experiments: String, arguments: StatementArguments, deleted: RunSearch.Deleted)?

    /// `names` are the published display names of authors.
    init(_ search: RunSearch, names: [PublicKey: String]) {
        var inExperiments = "1"
        if let experiments = search.experiments {
            inExperiments = "r.experiment IN (\(Array(repeating: "?", count: experiments.count).joined(separator: ",")))"
            conditions.append(inExperiments)
            for experiment in experiments { conditionArguments += [experiment] }
        }
        if search.conditions.isEmpty && search.orders.isEmpty { plain = (inExperiments, conditionArguments, search.deleted) }
        let tombstoned = "EXISTS (SELECT 1 FROM tombstones t WHERE t.entity = r.id AND t.deleted = 1)"
        switch search.deleted {
        case .hidden: conditions.append("NOT \(tombstoned)")
        case .only: conditions.append(tombstoned)
        case .included: break
        }
        for (i, condition) in search.conditions.enumerated() {
            let (sql, arguments) = column(condition.column, names)
            let decode = Self.decoder(condition.column)
            let test = condition.test
            functions.append(DatabaseFunction("ledger_search_c\(i)", argumentCount: 1) { args in test(decode(args[0])) })
            conditions.append("ledger_search_c\(i)(\(sql))")
            conditionArguments += arguments
        }
        for (i, o) in search.orders.enumerated() {
            let (sql, arguments) = column(o.column, names)
            let decode = Self.decoder(o.column)
            let key = o.key
            functions.append(DatabaseFunction("ledger_search_k\(i)", argumentCount: 1) { args in decode(args[0]).map { Data(key($0)) } })
            keys.append("ledger_search_k\(i)(\(sql)) AS k\(i)")
            keyArguments += arguments
            order += ["k\(i) IS NULL", "k\(i) \(o.descending ? "DESC" : "ASC")"]
        }
        order += [search.newest == .clock ? "r.clock DESC" : "r.start_time DESC", "r.id"]
        if conditions.isEmpty { conditions.append("1") }
    }

    /// How many runs pass the conditions.
    func matching(_ db: Database) throws -> Int {
        if let plain {
            // Runs of the experiments (an index count), and of those the deleted ones (few).
            let all = try Int.fetchOne(db, sql: "SELECT count(*) FROM runs r WHERE \(plain.experiments)", arguments: plain.arguments) ?? 0
            let deleted =
                plain.deleted == .included
                ? 0
                : try Int.fetchOne(
                    db,
                    sql: """
                        SELECT count(*) FROM tombstones t JOIN runs r ON r.id = t.entity WHERE t.deleted = 1 AND \(plain.experiments)
                        """, arguments: plain.arguments) ?? 0
            switch plain.deleted {
            case .hidden: return all - deleted
            case .only: return deleted
            case .included: return all
            }
        }
        return try registered(db) {
            try Int.fetchOne(
                db, sql: "SELECT count(*) FROM \(from) WHERE \(conditions.joined(separator: " AND "))",
                arguments: joinArguments + conditionArguments) ?? 0
        }
    }

    /// The rowids of the runs in `offset..<offset + limit` of the order, and how many runs match, in
    /// one pass over the runs (a window count); a second count only when the window is empty.
    func page(_ db: Database, offset: Int, limit: Int) throws -> (rowids: [Int64], matching: Int) {
        let rows = try registered(db) {
            // A plain search reads only its window, in index order, and counts apart.
            let select = (["r.rowid", plain == nil ? "count(*) OVER ()" : "0"] + keys).joined(separator: ", ")
            return try Row.fetchAll(
                db,
                sql: """
                    SELECT \(select) FROM \(from) WHERE \(conditions.joined(separator: " AND "))
                    ORDER BY \(order.joined(separator: ", ")) LIMIT \(max(0, limit)) OFFSET \(max(0, offset))
                    """, arguments: keyArguments + joinArguments + conditionArguments)
        }
        guard let first = rows.first, plain == nil else { return (rows.map { $0[0] as Int64 }, try matching(db)) }
        return (rows.map { $0[0] as Int64 }, first[1] as Int)
    }

    /// Runs `body` with this search's functions registered on the connection, and removes them after.
    private func registered<T>(_ db: Database, _ body: () throws -> T) throws -> T {
        for f in functions { db.add(function: f) }
        defer { for f in functions { db.remove(function: f) } }
        return try body()
    }

    /// The SQL expression of a column, joining its table once.
    private mutating func column(_ c: RunSearch.Column, _ names: [PublicKey: String]) -> (String, StatementArguments) {
        // A metric's aggregates share one join (`as` names it); only the column read differs.
        func join(_ table: String, _ key: String, as id: RunSearch.Column? = nil) -> String {
            if let a = joined[id ?? c] { return a }
            let a = "j\(joined.count)"
            joined[id ?? c] = a
            // The covering index: the value is read from it, without a second lookup in the table.
            let covering = Self.coveringIndexes[table].map { " INDEXED BY \($0)" } ?? ""
            from += " LEFT JOIN \(table) \(a)\(covering) ON \(a).run = r.id AND \(a).key = ?"
            joinArguments += [key]
            return a
        }
        switch c {
        case .metric(let key, let aggregate):
            let a = join("metric_summary", key, as: .metric(key, .last))
            return ("\(a).\(aggregate == .last ? "last_bits" : aggregate.rawValue)", [])
        case .param(let key): return ("\(join("params", key)).value", [])
        case .tag(let key): return ("\(join("run_tags", key)).value", [])
        case .name: return ("r.name", [])
        case .status: return ("coalesce(s.status, 'running')", [])
        case .author: return Self.authorName(names)
        case .experiment: return (CurrentName.of("e"), [])
        case .host: return ("r.host", [])
        case .git: return ("r.git_commit", [])
        case .runID: return ("lower(hex(r.id))", [])
        case .startTime: return ("r.start_time", [])
        case .endTime: return ("s.end_time", [])
        }
    }

    /// Indexes that hold everything a search reads of a run's param or metric (Schema, v6-scale-run-order).
    static let coveringIndexes = ["params": "params_by_run_key_value", "metric_summary": "metric_summary_by_run_key_values"]

    /// How a column's SQL value reads as a value: a metric's last value from its IEEE bits (SQLite
    /// stores NaN as NULL), other numbers as they are, the rest as text.
    private static func decoder(_ c: RunSearch.Column) -> @Sendable (DatabaseValue) -> RunTable.Value? {
        switch c {
        case .metric(_, .last): { Int64.fromDatabaseValue($0).map { .number(Double(bitPattern: UInt64(bitPattern: $0))) } }
        case .metric, .startTime, .endTime: { Double.fromDatabaseValue($0).map(RunTable.Value.number) }
        default: { String.fromDatabaseValue($0).map(RunTable.Value.text) }
        }
    }

    /// What an author field reads: the published name, else the key's fingerprint.
    private static func authorName(_ names: [PublicKey: String]) -> (String, StatementArguments) {
        let hex = "lower(hex(r.author))"
        let fingerprint = (0..<4).map { "substr(\(hex), \($0 * 4 + 1), 4)" }.joined(separator: " || ':' || ")
        guard !names.isEmpty else { return (fingerprint, []) }
        var arguments: StatementArguments = []
        var cases = ""
        for (key, name) in names.sorted(by: { $0.key.hex < $1.key.hex }) {
            cases += " WHEN ? THEN ?"
            arguments += [key, name]
        }
        return ("(CASE r.author\(cases) ELSE \(fingerprint) END)", arguments)
    }
}
