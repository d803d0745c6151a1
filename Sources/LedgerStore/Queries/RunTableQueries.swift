import GRDB
import LedgerModel
import LedgerProtocol

extension Ledger {
    /// One page of an experiment's runs table (of every experiment when nil; live runs unless
    /// `includeDeleted`), filtered, sorted and cut in SQL, so its cost grows with the page and the
    /// matching runs, not with loading every run; with the count of all the runs it chose from. The
    /// same page `RunTable.page` cuts from all the runs in memory.
    public func runTable(
        experiment: LedgerID?, _ query: RunTable.Query, includeDeleted: Bool = false
    ) throws(StoreError) -> (page: RunTable.Page, total: Int) {
        try read { db in
            let names = try names(db)
            let sql = RunSearchSQL(RunSearch(experiment: experiment, table: query, includeDeleted: includeDeleted), names: names)
            // The page asked for, which is the page shown unless it lies past the last one.
            let size = max(1, query.pageSize)
            let (asked, overflow) = (max(1, query.page) - 1).multipliedReportingOverflow(by: size)
            var (ids, matching) = try sql.page(db, offset: overflow ? Int.max : asked, limit: size)
            let window = RunTable.Window(query, matching: matching)
            if overflow || window.offset != asked { ids = try sql.page(db, offset: window.offset, limit: window.size).rowids }
            let everything = RunSearch(experiment: experiment, table: RunTable.Query(), includeDeleted: includeDeleted)
            let total = query.filter.clauses.isEmpty ? matching : try RunSearchSQL(everything, names: names).matching(db)
            // Summaries come newest first; the page's order is the search's.
            let scope = "r.rowid IN (\(ids.map(String.init).joined(separator: ",")))"
            let byRowid = Dictionary(uniqueKeysWithValues: ids.isEmpty ? [] : try summaries(db, of: scope).map { ($0.rowid, $0.run) })
            let rows = ids.compactMap { byRowid[$0] }
            return (RunTable.Page(rows: rows, matching: matching, page: window.page, pageCount: window.pageCount), total)
        }
    }

    /// The ids of the runs in `offset..<offset + limit` of a search's order, and how many runs match.
    public func searchRuns(_ search: RunSearch, offset: Int, limit: Int) throws(StoreError) -> (ids: [LedgerID], matching: Int) {
        try read { db in
            let (rowids, matching) = try RunSearchSQL(search, names: try names(db)).page(db, offset: offset, limit: limit)
            let scope = rowids.map(String.init).joined(separator: ",")
            let ids = Dictionary(
                uniqueKeysWithValues: try Row.fetchAll(db, sql: "SELECT rowid, id FROM runs WHERE rowid IN (\(scope))").map {
                    ($0[0] as Int64, $0[1] as LedgerID)
                })
            return (rowids.compactMap { ids[$0] }, matching)
        }
    }

    /// The columns the runs table shows when none are chosen: the params and metrics most of the
    /// experiment's newest `sample` live runs have (all of them in smaller experiments), params first.
    public func commonColumns(experiment: LedgerID, params: Int = 5, metrics: Int = 5, sample: Int = 1_000) throws(StoreError) -> [RunTable.Column] {
        try read { db in
            func common(_ table: String, _ limit: Int) throws -> [String] {
                try String.fetchAll(
                    db,
                    sql: """
                        WITH recent AS (
                            SELECT r.id FROM runs r JOIN experiments e ON e.id = r.experiment
                            WHERE r.experiment = ? AND NOT EXISTS (SELECT 1 FROM tombstones t WHERE t.entity = r.id AND t.deleted = 1)
                            ORDER BY r.clock DESC, r.id LIMIT ?)
                        SELECT key FROM \(table) WHERE run IN recent GROUP BY key ORDER BY count(*) DESC, key LIMIT ?
                        """, arguments: [experiment, sample, limit]
                ).sorted()
            }
            return try common("params", params).map { RunTable.Column(field: .param($0)) }
                + common("metric_summary", metrics).map { RunTable.Column(field: .metric($0)) }
        }
    }
}
