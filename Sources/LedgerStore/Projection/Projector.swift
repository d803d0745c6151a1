import Foundation
import GRDB
import LedgerModel
import LedgerProtocol

/// Applies one event to the projection tables. Every write commutes with every other: inserts keyed by
/// event id, last-writer-wins rows guarded by `ord`, earliest-writer rows, and order-free aggregates.
/// So applying events in any order, or rebuilding from scratch in merge order, gives identical tables.
struct Projector {
    let db: Database
    /// The team the entity ids derive from.
    let team: LedgerID

    func apply(_ event: SignedEvent, _ body: EventBody) throws {
        let env = event.envelope
        let ord = OrderKey(env)
        let author = env.author
        let clock = env.clock.sqlInteger
        switch body {
        case .teamGenesis:
            try latest("members", keys: ["member": author], ["role": Role.admin.rawValue, "name": nil, "active": 1], ord)
        case .memberAdd(let b):
            try latest("members", keys: ["member": b.member], ["role": b.role.rawValue, "name": b.name, "active": 1], ord)
        case .memberRemove(let b):
            try latest("members", keys: ["member": b.member], ["role": nil, "name": nil, "active": 0], ord)
        case .aliasProtect(let b):
            try latest("protected_aliases", keys: ["alias": b.alias], ["role": b.role.rawValue], ord)
        case .identityProfile(let b):
            try latest("profiles", keys: ["key": author], ["name": b.name, "email": b.email], ord)
        case .deviceLink(let b):
            try latest("devices", keys: ["device": b.device], ["member": author, "label": b.label], ord)
        case .experimentCreate(let b):
            let id = EntityID.experiment(team: team, name: b.name)
            try earliest("experiments", keys: ["id": id], ["name": b.name, "author": author, "clock": clock], ord)
            if let d = b.description { try describe(id, d, event, heads: []) }
        case .experimentDescribe(let b):
            try describe(b.experiment, b.description, event, heads: env.heads)
        case .experimentTag(let b):
            try latest("experiment_tags", keys: ["experiment": b.experiment, "key": b.key], ["value": b.value], ord)
        case .runStart(let b):
            try insert("runs", [
                "id": event.id, "experiment": b.experiment, "name": b.name, "author": author, "clock": clock,
                "start_time": b.startTime ?? Int64(HybridClock.milliseconds(env.clock)),
                "git_commit": b.gitCommit, "git_dirty": b.gitDirty, "command": b.command, "host": b.host,
                "environment": b.environment,
            ])
        case .runParams(let b):
            for (k, v) in b.params { try latest("params", keys: ["run": b.run, "key": k], ["value": v], ord) }
        case .runTags(let b):
            for (k, v) in b.tags { try latest("run_tags", keys: ["run": b.run, "key": k], ["value": v], ord) }
        case .runArtifacts(let b):
            for f in b.files {
                try latest("run_artifacts", keys: ["run": b.run, "path": f.path],
                           ["sha256": Data(f.sha256), "size": Int64(f.size)], ord)
            }
        case .runFinish(let b):
            try latest("run_status", keys: ["run": b.run],
                       ["status": b.status.rawValue, "end_time": b.endTime, "exit_code": b.exitCode], ord)
        case .runMetrics(let b):
            for (key, points) in b.series { try addMetrics(run: b.run, key: key, points: points, event: event.id, ord: ord) }
        case .modelCreate(let b):
            let id = EntityID.model(team: team, name: b.name)
            try earliest("models", keys: ["id": id], ["name": b.name, "author": author, "clock": clock], ord)
            if let d = b.description { try describe(id, d, event, heads: []) }
        case .modelDescribe(let b):
            try describe(b.model, b.description, event, heads: env.heads)
        case .versionCreate(let b):
            try insert("versions", [
                "id": event.id, "model": b.model, "run": b.run, "claimed_number": Int64(b.claimedNumber),
                "description": b.description, "author": author, "clock": clock, "ord": ord,
            ])
            for f in b.files {
                try insert("version_files", ["version": event.id, "path": f.path, "sha256": Data(f.sha256), "size": Int64(f.size)])
            }
        case .versionArchive(let b):
            try earliest("version_archived", keys: ["version": b.version], ["event": event.id, "reason": b.reason], ord)
        case .promote(let b):
            try aliasWrite(event, model: b.model, alias: b.alias, version: b.version, reason: b.reason, evidence: b.evidence)
        case .demote(let b):
            try aliasWrite(event, model: b.model, alias: b.alias, version: nil, reason: b.reason, evidence: [])
        case .commentAdd(let b):
            try insert("comments", [
                "id": event.id, "target": b.target, "reply_to": b.replyTo, "author": author, "clock": clock, "text": b.text,
            ])
        }
    }

    // MARK: - Commuting writes

    private typealias Values = KeyValuePairs<String, (any DatabaseValueConvertible)?>

    private func insert(_ table: String, _ values: Values) throws {
        let columns = values.map(\.key)
        let sql = "INSERT OR IGNORE INTO \(table) (\(columns.joined(separator: ", "))) VALUES (\(placeholders(columns.count)))"
        try db.cachedStatement(sql: sql).execute(arguments: StatementArguments(values.map(\.value)))
    }

    /// Last writer wins: the row keeps the values of the write with the highest `ord`.
    private func latest(_ table: String, keys: Values, _ values: Values, _ ord: OrderKey) throws {
        try guardedUpsert(table, keys: keys, values, ord, comparison: ">")
    }

    /// First writer wins: the row keeps the values of the write with the lowest `ord`.
    private func earliest(_ table: String, keys: Values, _ values: Values, _ ord: OrderKey) throws {
        try guardedUpsert(table, keys: keys, values, ord, comparison: "<")
    }

    private func guardedUpsert(_ table: String, keys: Values, _ values: Values, _ ord: OrderKey, comparison: String) throws {
        let keyColumns = keys.map(\.key)
        let valueColumns = values.map(\.key) + ["ord"]
        let all = keyColumns + valueColumns
        let sql = """
            INSERT INTO \(table) (\(all.joined(separator: ", "))) VALUES (\(placeholders(all.count)))
            ON CONFLICT (\(keyColumns.joined(separator: ", "))) DO UPDATE SET
            \(valueColumns.map { "\($0) = excluded.\($0)" }.joined(separator: ", "))
            WHERE excluded.ord \(comparison) \(table).ord
            """
        let arguments = keys.map(\.value) + values.map(\.value) + [ord]
        try db.cachedStatement(sql: sql).execute(arguments: StatementArguments(arguments))
    }

    private func placeholders(_ n: Int) -> String { Array(repeating: "?", count: n).joined(separator: ", ") }

    private func supersede(_ event: LedgerID, heads: [LedgerID]) throws {
        for head in heads { try insert("supersedes", ["event": event, "superseded": head]) }
    }

    private func describe(_ entity: LedgerID, _ text: String, _ event: SignedEvent, heads: [LedgerID]) throws {
        try insert("descriptions", ["event": event.id, "entity": entity, "text": text, "clock": event.envelope.clock.sqlInteger])
        try supersede(event.id, heads: heads)
    }

    private func aliasWrite(
        _ event: SignedEvent, model: LedgerID, alias: String, version: LedgerID?, reason: String, evidence: [String]
    ) throws {
        let evidenceText = String(decoding: try JSONEncoder().encode(evidence), as: UTF8.self)
        try insert("alias_events", [
            "event": event.id, "model": model, "alias": alias, "version": version, "author": event.envelope.author,
            "clock": event.envelope.clock.sqlInteger, "reason": reason, "evidence": evidenceText,
        ])
        try supersede(event.id, heads: event.envelope.heads)
    }

    /// Stores a batch's points for one key packed, and merges its summary into the series summary.
    private func addMetrics(run: LedgerID, key: String, points: [MetricPoint], event: LedgerID, ord: OrderKey) throws {
        try insert("metric_chunks", [
            "run": run, "key": key, "event": event, "ord": ord, "count": Int64(points.count),
            "points": Data(MetricPoint.pack(points)),
        ])
        var summary = MetricSummary(points)
        let existing = try Row.fetchOne(
            db.cachedStatement(sql: "SELECT * FROM metric_summary WHERE run = ? AND key = ?"), arguments: [run, key])
        if let existing { summary = summary.merged(with: MetricSummary(row: existing)) }
        guard let last = summary.last else { return }
        try db.cachedStatement(sql: """
            INSERT OR REPLACE INTO metric_summary
            (run, key, count, min, max, last_step, last_time, last_value, last_bits) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
            """).execute(arguments: [
                run, key, summary.count, summary.min, summary.max, last.step, last.timestamp,
                last.value.isNaN ? nil : last.value, Int64(bitPattern: last.value.bitPattern),
            ])
    }
}

extension MetricSummary {
    init(row: Row) {
        self.init()
        count = row["count"]
        min = row["min"]
        max = row["max"]
        let bits: Int64 = row["last_bits"]
        last = MetricPoint(step: row["last_step"], timestamp: row["last_time"], value: Double(bitPattern: UInt64(bitPattern: bits)))
    }
}
