import Foundation
import GRDB
import LedgerImport
import LedgerProtocol
import Testing

/// Histories read from an MLflow SQLite store's `metrics` table as MLflow's SQL store reads them.
struct SQLiteMetricHistoryTests {
    /// A store with MLflow's `metrics` table (its columns as MLflow's migrations leave them).
    func store(_ rows: [(run: String, key: String, value: Double, timestamp: Int64, step: Int64, nan: Bool)]) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("mlflow-\(UUID().uuidString).db").path
        let db = try DatabaseQueue(path: path)
        try db.write { db in
            try db.execute(
                sql: """
                    CREATE TABLE metrics (key VARCHAR(250) NOT NULL, value FLOAT NOT NULL, timestamp BIGINT NOT NULL,
                        run_uuid VARCHAR(32) NOT NULL, step BIGINT DEFAULT '0' NOT NULL, is_nan BOOLEAN DEFAULT '0' NOT NULL,
                        PRIMARY KEY (key, timestamp, step, run_uuid, value, is_nan))
                    """)
            for r in rows {
                try db.execute(
                    sql: "INSERT INTO metrics (key, value, timestamp, run_uuid, step, is_nan) VALUES (?, ?, ?, ?, ?, ?)",
                    arguments: [r.key, r.value, r.timestamp, r.run, r.step, r.nan])
            }
        }
        return path
    }

    @Test func readsOneRunsMetricInMLflowsOrderWithNaNFlags() throws {
        let path = try store([
            ("a", "loss", 0.5, 20, 2, false), ("a", "loss", 0, 10, 1, true), ("a", "loss", 0.1 + 0.2, 10, 0, false),
            ("a", "acc", 1, 5, 0, false), ("b", "loss", 9, 1, 0, false),
        ])
        defer { try? FileManager.default.removeItem(atPath: path) }
        let history = try #require(try SQLiteMetricHistory(path: path))
        let page = try history.history(run: "a", key: "loss", page: nil)
        #expect(page.next == nil)
        #expect(page.items.map(\.step) == [0, 1, 2] && page.items.map(\.timestamp) == [10, 10, 20])
        #expect(page.items[0].value == 0.1 + 0.2 && page.items[1].value.isNaN && page.items[2].value == 0.5)
    }

    @Test func longHistoriesComeInPages() throws {
        let path = try store((0..<7).map { ("a", "loss", Double($0), Int64($0), Int64($0), false) })
        defer { try? FileManager.default.removeItem(atPath: path) }
        let history = try #require(try SQLiteMetricHistory(path: path, pageSize: 3))
        var steps = [Int64]()
        var token: String?
        var pages = 0
        repeat {
            let page = try history.history(run: "a", key: "loss", page: token)
            steps += page.items.map(\.step)
            token = page.next
            pages += 1
        } while token != nil
        #expect(steps == Array(0..<7) && pages == 3)
    }

    @Test func aStoreWithoutMLflowsMetricsTableIsNotRead() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("other-\(UUID().uuidString).db").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try DatabaseQueue(path: path).write { try $0.execute(sql: "CREATE TABLE metrics (name TEXT, v REAL)") }
        #expect(try SQLiteMetricHistory(path: path) == nil)
    }
}
