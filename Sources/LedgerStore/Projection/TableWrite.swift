import GRDB

/// One way of writing a projection table, with its SQL built once. Every kind of write commutes:
/// - `insert`: rows keyed by an event id, written once;
/// - `latest`: last writer wins, the row keeps the write with the highest `ord`;
/// - `earliest`: first writer wins, the row keeps the write with the lowest `ord`.
struct TableWrite: Sendable {
    let sql: String

    static func insert(_ table: String, _ columns: [String]) -> TableWrite {
        TableWrite(sql: "INSERT OR IGNORE INTO \(table) (\(columns.joined(separator: ", "))) VALUES (\(placeholders(columns.count)))")
    }

    /// Arguments: the key columns, the value columns, then `ord`.
    static func latest(_ table: String, keys: [String], values: [String]) -> TableWrite {
        guarded(table, keys: keys, values: values, comparison: ">")
    }

    /// Arguments: the key columns, the value columns, then `ord`.
    static func earliest(_ table: String, keys: [String], values: [String]) -> TableWrite {
        guarded(table, keys: keys, values: values, comparison: "<")
    }

    private static func guarded(_ table: String, keys: [String], values: [String], comparison: String) -> TableWrite {
        let updated = values + ["ord"]
        let all = keys + updated
        return TableWrite(
            sql: """
                INSERT INTO \(table) (\(all.joined(separator: ", "))) VALUES (\(placeholders(all.count)))
                ON CONFLICT (\(keys.joined(separator: ", "))) DO UPDATE SET
                \(updated.map { "\($0) = excluded.\($0)" }.joined(separator: ", "))
                WHERE excluded.ord \(comparison) \(table).ord
                """)
    }

    private static func placeholders(_ n: Int) -> String { Array(repeating: "?", count: n).joined(separator: ", ") }

    func execute(_ db: Database, _ arguments: [(any DatabaseValueConvertible)?]) throws {
        try db.cachedStatement(sql: sql).execute(arguments: StatementArguments(arguments))
    }
}

/// Every projection write, by table.
enum TableWrites {
    static let teamEvent = TableWrite.insert("team_events", ["event", "ord"])
    static let promotionRequest = TableWrite.insert("promotion_requests", ["id", "model", "alias", "version", "author", "reason", "ord"])
    static let promotionDecision = TableWrite.insert("promotion_decisions", ["event", "request", "ord"])
    static let relayAnnouncement = TableWrite.insert("relay_announcements", ["event", "key", "url", "author", "ord"])
    static let relayCosignature = TableWrite.insert("relay_cosignatures", ["event", "key", "size", "root", "checkpoint", "author", "ord"])
    static let held = TableWrite.insert("held_events", ["event", "author", "reason"])
    /// The lowest forked seq of an author.
    static let fork = TableWrite(sql: "INSERT INTO forks (author, seq) VALUES (?, ?) ON CONFLICT (author) DO UPDATE SET seq = min(seq, excluded.seq)")
    static let profile = TableWrite.latest("profiles", keys: ["key"], values: ["name", "email"])
    static let experiment = TableWrite.earliest("experiments", keys: ["id"], values: ["name", "author", "clock"])
    static let experimentTag = TableWrite.latest("experiment_tags", keys: ["experiment", "key"], values: ["value"])
    static let entityName = TableWrite.latest("entity_names", keys: ["entity"], values: ["name"])
    static let description = TableWrite.insert("descriptions", ["event", "entity", "text", "clock"])
    static let supersedes = TableWrite.insert("supersedes", ["event", "superseded"])
    static let run = TableWrite.insert(
        "runs",
        [
            "id", "experiment", "name", "author", "clock", "start_time", "git_commit", "git_dirty", "command", "host", "environment",
        ])
    static let param = TableWrite.latest("params", keys: ["run", "key"], values: ["value"])
    static let runTag = TableWrite.latest("run_tags", keys: ["run", "key"], values: ["value"])
    static let runArtifact = TableWrite.latest("run_artifacts", keys: ["run", "path"], values: ["sha256", "size"])
    static let runStatus = TableWrite.latest("run_status", keys: ["run"], values: ["status", "end_time", "exit_code"])
    static let metricChunk = TableWrite.insert("metric_chunks", ["run", "key", "event", "ord", "count", "points"])
    static let metricSummary = TableWrite(
        sql: """
            INSERT OR REPLACE INTO metric_summary (run, key, count, min, max, last_step, last_time, last_value, last_bits)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
            """)
    static let model = TableWrite.earliest("models", keys: ["id"], values: ["name", "author", "clock"])
    static let version = TableWrite.insert(
        "versions", ["id", "model", "run", "claimed_number", "description", "author", "clock", "ord", "logged_model"])
    static let versionFile = TableWrite.insert("version_files", ["version", "path", "sha256", "size"])
    static let versionArchived = TableWrite.earliest("version_archived", keys: ["version"], values: ["event", "reason"])
    static let aliasEvent = TableWrite.insert("alias_events", ["event", "model", "alias", "version", "author", "clock", "ord", "reason", "evidence"])
    static let comment = TableWrite.insert("comments", ["id", "target", "reply_to", "author", "clock", "text"])
    static let loggedModel = TableWrite.insert("logged_models", ["id", "short", "experiment", "name", "run", "model_type", "author", "clock"])
    static let loggedModelStatus = TableWrite.latest("logged_model_status", keys: ["model"], values: ["status", "message"])
    static let loggedModelUpdated = TableWrite(
        sql: """
            INSERT INTO logged_model_updated (model, clock) VALUES (?, ?)
            ON CONFLICT (model) DO UPDATE SET clock = max(clock, excluded.clock)
            """)
    static let loggedModelParam = TableWrite.latest("logged_model_params", keys: ["model", "key"], values: ["value"])
    static let loggedModelTag = TableWrite.latest("logged_model_tags", keys: ["model", "key"], values: ["value"])
    static let loggedModelFile = TableWrite.latest("logged_model_files", keys: ["model", "path"], values: ["sha256", "size"])
    static let runDataset = TableWrite.latest(
        "run_datasets", keys: ["run", "name", "digest"],
        values: ["source_type", "source", "schema", "profile", "tags"])
    static let runModelInput = TableWrite.insert("run_model_inputs", ["run", "model"])
    static let runOutput = TableWrite.earliest("run_outputs", keys: ["run", "model"], values: ["step"])
    static let tombstone = TableWrite.latest("tombstones", keys: ["entity"], values: ["deleted", "event"])
    static let deployment = TableWrite.insert(
        "deployments", ["event", "model", "environment", "version", "rollback", "rolled_back", "target", "reason", "author", "clock", "ord"])
    static let monitorChunk = TableWrite.insert(
        "monitor_chunks",
        ["event", "key", "model", "environment", "version", "count", "first_time", "last_time", "points", "source", "author", "ord"])
    static let monitorRule = TableWrite.insert(
        "monitor_rules",
        ["rule", "model", "environment", "metric", "condition", "threshold", "for_ms", "command", "baseline", "author", "clock", "ord"])
    static let monitorRuleRemoval = TableWrite.insert("monitor_rule_removals", ["event", "rule", "author", "clock", "ord"])
    static let monitorAlert = TableWrite.insert(
        "monitor_alerts",
        [
            "event", "rule", "model", "environment", "version", "metric", "window_start", "window_end", "count", "baseline", "summary",
            "points", "author", "clock",
        ])
}
