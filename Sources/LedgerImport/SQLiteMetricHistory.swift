import Foundation
import GRDB
import LedgerProtocol

/// Metric histories read straight from a local MLflow SQLite store's `metrics` table, exactly as MLflow's
/// SQL store reads them (`SqlMetric.to_mlflow_entity`: NaN is the `is_nan` flag; ordered by timestamp,
/// step, value). Histories are the bulk of a store, and MLflow's REST API serves them at a few thousand
/// points per second; everything else still comes through the private server, which keeps every other
/// detail of the schema MLflow's own.
public struct SQLiteMetricHistory: Sendable {
    let database: DatabaseQueue
    /// Points per page: one page holds a typical history, and memory stays bounded for a long one.
    let pageSize: Int

    /// Opens the store read-only; nil when its `metrics` table is not the one this reader knows.
    public init?(path: String, pageSize: Int = 100_000) throws {
        var configuration = Configuration()
        configuration.readonly = true
        let database = try DatabaseQueue(path: path, configuration: configuration)
        let columns = try database.read { db in Set(try db.columns(in: "metrics").map(\.name)) }
        guard columns.isSuperset(of: ["key", "value", "timestamp", "step", "is_nan", "run_uuid"]) else { return nil }
        self.database = database
        self.pageSize = pageSize
    }

    /// One page of a run's metric; the page token is the offset of the next page. `+key` keeps SQLite
    /// (with no statistics in MLflow's file) from choosing the primary key, which starts with the key
    /// and so would scan every run's points; the run's own index finds its few.
    public func history(run: String, key: String, page: String?) throws -> Page<MetricPoint> {
        let offset = page.flatMap(Int.init) ?? 0
        let points = try database.read { db in
            try Row.fetchAll(
                db.cachedStatement(
                    sql: """
                        SELECT value, timestamp, step, is_nan FROM metrics WHERE run_uuid = ? AND +key = ?
                        ORDER BY timestamp, step, value LIMIT ? OFFSET ?
                        """),
                arguments: [run, key, pageSize + 1, offset]
            ).map { row in
                MetricPoint(step: row["step"] ?? 0, timestamp: row["timestamp"] ?? 0, value: row["is_nan"] == true ? .nan : row["value"])
            }
        }
        guard points.count > pageSize else { return Page(points, next: nil) }
        return Page(Array(points.prefix(pageSize)), next: String(offset + pageSize))
    }
}
