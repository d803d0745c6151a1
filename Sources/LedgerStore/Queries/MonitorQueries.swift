import Foundation
import GRDB
import LedgerModel
import LedgerProtocol

/// Production points, rules in effect and alerts (SPEC 6.16).
extension Ledger {
    /// The production points of one metric of one version in an environment, measured at or after `since` (Unix ms).
    public func productionPoints(
        model: LedgerID, environment: String, version: LedgerID, key: String, since: Int64
    ) throws(StoreError)
        -> [MetricPoint]
    {
        try read { db in
            try Row.fetchAll(
                db.cachedStatement(
                    sql: """
                        SELECT points FROM monitor_chunks
                        WHERE model = ? AND environment = ? AND version = ? AND key = ? AND last_time >= ?
                        """), arguments: [model, environment.nfc, version, key.nfc, since]
            ).flatMap { MetricPoint.unpack($0.bytes("points")) ?? [] }.filter { $0.timestamp >= since }
        }
    }

    /// Every production series of a model, per environment, version and key, with the training value beside it.
    public func productionSeries(model: LedgerID) throws(StoreError) -> [ProductionSeriesView] {
        try read { db in
            let numbers = try versionNumbers(model, db)
            var grouped = [[String]: (environment: String, version: LedgerID, key: String, points: [MetricPoint])]()
            for row in try Row.fetchAll(db, sql: "SELECT environment, version, key, points FROM monitor_chunks WHERE model = ?", arguments: [model]) {
                let version: LedgerID = row["version"]
                let group = [row["environment"], version.hex, row["key"]] as [String]
                grouped[group, default: (row["environment"], version, row["key"], [])].points += MetricPoint.unpack(row.bytes("points")) ?? []
            }
            return try grouped.values.sorted {
                ($0.environment, $0.key, numbers[$0.version]?.number ?? 0) < ($1.environment, $1.key, numbers[$1.version]?.number ?? 0)
            }
            .map { g in
                ProductionSeriesView(
                    environment: g.environment, version: g.version.hex, versionNumber: numbers[g.version]?.number, key: g.key, points: g.points,
                    training: try trainingValue(version: g.version, key: g.key, db))
            }
        }
    }

    /// The last value of `key` in the run that produced the version, if it logged one.
    public func trainingValue(version: LedgerID, key: String) throws(StoreError) -> Double? {
        try read { db in try trainingValue(version: version, key: key.nfc, db) }
    }

    func trainingValue(version: LedgerID, key: String, _ db: Database) throws -> Double? {
        let bits = try Int64.fetchOne(
            db, sql: "SELECT s.last_bits FROM versions v JOIN metric_summary s ON s.run = v.run AND s.key = ? WHERE v.id = ?",
            arguments: [key, version])
        return bits.map { Double(bitPattern: UInt64(bitPattern: $0)) }
    }

    /// Rules in effect (counted, allowed to their author, not removed), of one model or all.
    public func rules(model: LedgerID? = nil) throws(StoreError) -> [(view: RuleView, definition: MonitorRule.Definition)] {
        try read { db in
            let authors = Authors(names: try names(db))
            return try Row.fetchAll(
                db,
                sql: """
                    SELECT r.*, \(CurrentName.of("m")) AS model_name FROM monitor_rules r JOIN models m ON m.id = r.model
                    WHERE (?1 IS NULL OR r.model = ?1) AND NOT EXISTS (SELECT 1 FROM monitor_rule_removals x WHERE x.rule = r.rule)
                    ORDER BY r.ord
                    """, arguments: [model]
            ).compactMap { row in
                guard let condition = RuleCondition(rawValue: row["condition"]), let author = row["author"] as PublicKey?,
                    let ord = row["ord"] as OrderKey?
                else { return nil }
                let definition = MonitorRule.Definition(
                    metric: row["metric"], condition: condition, threshold: row["threshold"], forMs: UInt64(clamping: row["for_ms"] as Int64),
                    command: row["command"], baseline: row["baseline"])
                let required =
                    Permissions.requiredRole(
                        for: .monitorRule(MonitorRule(model: row["model"], environment: row["environment"], definition: definition)),
                        protection: { _ in nil }, environment: { _ in nil }) ?? .writer
                guard try Authorization.had(required, author: author, ord: ord, db) else { return nil }
                let rule: LedgerID = row["rule"]
                let modelID: LedgerID = row["model"]
                let view = RuleView(
                    id: rule.hex, model: modelID.hex, modelName: row["model_name"], environment: row["environment"], definition: definition,
                    author: authors.view(row), createdAt: Self.ms(row["clock"]))
                return (view, definition)
            }
        }
    }

    /// Whether the rule already fired for this version over a window ending at or after `since` (one alert per breach).
    public func hasAlert(rule: LedgerID, version: LedgerID, endingAtOrAfter since: Int64) throws(StoreError) -> Bool {
        try read { db in
            try Bool.fetchOne(
                db, sql: "SELECT EXISTS (SELECT 1 FROM monitor_alerts WHERE rule = ? AND version = ? AND window_end >= ?)",
                arguments: [rule, version, since]) ?? false
        }
    }

    /// A model's alerts, newest first, with the runs that name each (tag `mledger.alert`).
    public func alerts(model: LedgerID? = nil) throws(StoreError) -> [AlertView] {
        try read { db in
            let authors = Authors(names: try names(db))
            var numbers = [LedgerID: [LedgerID: VersionNumbering.Assigned]]()
            return try Row.fetchAll(
                db, sql: "SELECT * FROM monitor_alerts WHERE ?1 IS NULL OR model = ?1 ORDER BY clock DESC, event", arguments: [model]
            ).map { row in
                let id: LedgerID = row["event"]
                let modelID: LedgerID = row["model"]
                let version: LedgerID = row["version"]
                if numbers[modelID] == nil { numbers[modelID] = try versionNumbers(modelID, db) }
                let runs = try LedgerID.fetchAll(
                    db, sql: "SELECT run FROM run_tags WHERE key = 'mledger.alert' AND value = ? ORDER BY run", arguments: [id.hex])
                return AlertView(
                    id: id.hex, rule: (row["rule"] as LedgerID).hex, model: modelID.hex, environment: row["environment"], version: version.hex,
                    versionNumber: numbers[modelID]?[version]?.number, metric: row["metric"], windowStart: row["window_start"],
                    windowEnd: row["window_end"], count: row["count"], baseline: row["baseline"], summary: row["summary"],
                    author: authors.view(row), at: Self.ms(row["clock"]), runs: runs.map(\.hex))
            }
        }
    }
}
