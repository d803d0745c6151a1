import Foundation
import LedgerModel
import LedgerProtocol

/// Pure translation between the ledger's views and MLflow's JSON entities.
public enum Translation {
    /// MLflow clients expect an experiment "Default" with id "0"; here it is a ledger experiment of that name.
    public static let defaultExperimentName = "Default"
    public static let defaultExperimentID = "0"

    public static func experimentID(hex: String, name: String) -> String {
        name == defaultExperimentName ? defaultExperimentID : hex
    }

    /// The experiment "Default" before anything was logged into it: MLflow always has one, the ledger
    /// creates it with the first run logged there.
    public static var unusedDefaultExperiment: [String: Any] {
        [
            "experiment_id": defaultExperimentID, "name": defaultExperimentName, "artifact_location": "mlflow-artifacts:/0",
            "lifecycle_stage": "active", "tags": [[String: Any]](), "creation_time": 0, "last_update_time": 0, "workspace": workspace,
        ]
    }

    public static func status(_ s: RunStatus) -> String {
        switch s {
        case .running: "RUNNING"
        case .finished: "FINISHED"
        case .failed: "FAILED"
        case .killed: "KILLED"
        }
    }

    /// The ledger status an MLflow end status maps to; nil for RUNNING and SCHEDULED (the run goes on).
    public static func runStatus(_ mlflow: String) throws(MLflowError) -> RunStatus? {
        switch mlflow.uppercased() {
        case "RUNNING", "SCHEDULED": return nil
        case "FINISHED": return .finished
        case "FAILED": return .failed
        case "KILLED": return .killed
        default: throw .invalid("Invalid run status '\(mlflow)': use RUNNING, SCHEDULED, FINISHED, FAILED or KILLED")
        }
    }

    /// JSON has no NaN or infinity: protobuf JSON writes them as strings, which the client reads back.
    /// A float as protobuf JSON writes it. Negative zero goes as the text "-0.0", which protobuf readers
    /// take for a float: JSONSerialization would write `-0`, which Python's json reads as the integer 0.
    public static func number(_ v: Double) -> Any {
        if v.isNaN { return "NaN" }
        if v.isInfinite { return v > 0 ? "Infinity" : "-Infinity" }
        if v == 0, v.sign == .minus { return "-0.0" }
        return v
    }

    public static func metric(_ key: String, _ p: MetricPoint) -> [String: Any] {
        ["key": key, "value": number(p.value), "timestamp": p.timestamp, "step": p.step]
    }

    static func keyValues(_ map: [String: String]) -> [[String: Any]] {
        map.sorted { $0.key < $1.key }.map { ["key": $0.key, "value": $0.value] }
    }

    /// MLflow's user of a version: who registered it, or for one imported, its original author there.
    static func user(_ author: AuthorView, imported: ImportView?) -> String {
        imported.map { $0.user ?? "" } ?? author.name ?? author.fingerprint
    }

    public static func artifactURI(experiment: String, run: String) -> String {
        "mlflow-artifacts:/\(experiment)/\(run)/artifacts"
    }

    /// Whether a search with MLflow's view type (ACTIVE_ONLY by default, DELETED_ONLY, ALL) lists an entity.
    public static func viewTypeLists(_ viewType: String?, deleted: Bool) -> Bool {
        switch viewType?.uppercased() {
        case "ALL", "3": true
        case "DELETED_ONLY", "2": deleted
        default: !deleted
        }
    }

    /// MLflow's lifecycle stage of an entity: a tombstone (`entity.delete`) makes it "deleted".
    public static func lifecycle(deleted: Bool) -> String { deleted ? "deleted" : "active" }

    /// The workspace MLflow 3 servers name on every experiment (one workspace per endpoint here).
    static let workspace = "default"

    public static func experiment(_ e: ExperimentView, tags: [String: String] = [:], deleted: Bool = false) -> [String: Any] {
        let id = experimentID(hex: e.id, name: e.name)
        return [
            "experiment_id": id, "name": e.name, "artifact_location": "mlflow-artifacts:/\(id)",
            "lifecycle_stage": lifecycle(deleted: deleted), "creation_time": e.createdAt, "last_update_time": e.lastActivity,
            "tags": keyValues(tags), "workspace": workspace,
        ]
    }

    /// The run tag keeping the `user_id` a run was created with through MLflow (not listed among its MLflow tags).
    public static let userIDTag = "mledger.mlflow.user_id"

    /// A run's `user_id` by MLflow's rule: the one it was created with, else its `mlflow.user` tag, else "unknown".
    /// An imported run keeps the user it had where it came from.
    public static func userID(_ r: RunView) -> String {
        r.imported.map { $0.user ?? "" } ?? r.tags[userIDTag] ?? r.tags["mlflow.user"] ?? "unknown"
    }

    /// The tags MLflow lists for a run: its own, with `mlflow.runName` for its name, as MLflow keeps it.
    static func runTags(_ r: RunView) -> [String: String] {
        var tags = r.tags.filter { $0.key != userIDTag }
        if !r.name.isEmpty { tags["mlflow.runName"] = r.name }
        return tags
    }

    public static func runInfo(_ r: RunView, deleted: Bool = false) -> [String: Any] {
        let experiment = experimentID(hex: r.experimentID, name: r.experiment ?? "")
        var info: [String: Any] = [
            "run_id": r.id, "run_uuid": r.id, "run_name": r.name, "experiment_id": experiment,
            "user_id": userID(r), "status": status(r.status), "start_time": r.startTime,
            "artifact_uri": artifactURI(experiment: experiment, run: r.id), "lifecycle_stage": lifecycle(deleted: deleted),
        ]
        if let end = r.endTime { info["end_time"] = end }
        return info
    }

    public static func run(_ r: RunView, deleted: Bool = false) -> [String: Any] {
        [
            "info": runInfo(r, deleted: deleted),
            "data": [
                "metrics": r.metrics.sorted { $0.key < $1.key }.compactMap { k, m in m.last.map { metric(k, $0) } },
                "params": keyValues(r.params),
                "tags": keyValues(runTags(r)),
            ] as [String: Any],
            "inputs": ["dataset_inputs": r.datasets.map(datasetInput)] as [String: Any],
            "outputs": ["model_outputs": r.outputs.map { ["model_id": loggedModelID(hex: $0), "step": 0] as [String: Any] }] as [String: Any],
        ]
    }

    static func datasetInput(_ d: DatasetInput) -> [String: Any] {
        var dataset: [String: Any] = ["name": d.name, "digest": d.digest, "source_type": d.sourceType, "source": d.source]
        if let schema = d.schema { dataset["schema"] = schema }
        if let profile = d.profile { dataset["profile"] = profile }
        return ["tags": keyValues(d.tags), "dataset": dataset]
    }

    // MARK: - Logged models

    /// MLflow's id of a logged model: `m-` and the first 32 hex digits of its ledger id.
    public static func loggedModelID(hex: String) -> String { "m-" + hex.prefix(32) }

    public static func loggedModelArtifactURI(experiment: String, model: String) -> String {
        "mlflow-artifacts:/\(experiment)/models/\(model)/artifacts"
    }

    static let loggedModelStatuses: [(LoggedModelStatus, String)] = [
        (.pending, "LOGGED_MODEL_PENDING"), (.ready, "LOGGED_MODEL_READY"), (.failed, "LOGGED_MODEL_UPLOAD_FAILED"),
    ]

    public static func loggedModelStatus(_ mlflow: String) throws(MLflowError) -> LoggedModelStatus {
        guard let s = loggedModelStatuses.first(where: { $0.1 == mlflow.uppercased() || $0.0.rawValue == mlflow.lowercased() })?.0 else {
            throw .invalid("Invalid logged model status '\(mlflow)': use LOGGED_MODEL_PENDING, LOGGED_MODEL_READY or LOGGED_MODEL_UPLOAD_FAILED")
        }
        return s
    }

    public static func loggedModel(_ m: LoggedModelView, experimentID: String) -> [String: Any] {
        var info: [String: Any] = [
            "model_id": m.mlflowID, "experiment_id": experimentID, "name": m.name,
            "artifact_uri": loggedModelArtifactURI(experiment: experimentID, model: m.mlflowID),
            "creation_timestamp_ms": m.createdAt, "last_updated_timestamp_ms": m.updatedAt,
            "status": loggedModelStatuses.first { $0.0.rawValue == m.status }?.1 ?? "LOGGED_MODEL_STATUS_UNSPECIFIED",
            "tags": keyValues(m.tags),
        ]
        if let t = m.modelType { info["model_type"] = t }
        if let r = m.run { info["source_run_id"] = r }
        if let message = m.statusMessage { info["status_message"] = message }
        return ["info": info, "data": ["params": keyValues(m.params), "metrics": [[String: Any]]()] as [String: Any]]
    }

    /// The value of a logged model's field for `search_logged_models` filters.
    public static func field(_ m: LoggedModelView, _ entity: SearchFilter.Entity, _ key: String) -> SearchFilter.FieldValue? {
        switch entity {
        case .param: return m.params[key].map { .text($0) }
        case .tag: return m.tags[key].map { .text($0) }
        case .metric: return nil
        case .attribute:
            switch key {
            case "name": return .text(m.name)
            case "model_id": return .text(m.mlflowID)
            case "model_type": return m.modelType.map { .text($0) }
            case "source_run_id": return m.run.map { .text($0) }
            case "status": return .text(loggedModelStatuses.first { $0.0.rawValue == m.status }?.1 ?? "")
            case "creation_timestamp", "creation_time": return .number(Double(m.createdAt))
            default: return nil
            }
        }
    }

    /// The value of a run's field for a search filter or ordering.
    public static func field(_ r: RunView, _ entity: SearchFilter.Entity, _ key: String) -> SearchFilter.FieldValue? {
        switch entity {
        case .metric: return r.metrics[key]?.last.map { .number($0.value) }
        case .param: return r.params[key].map { .text($0) }
        case .tag:
            if key == "mlflow.runName" { return .text(r.name) }
            return r.tags[key].map { .text($0) }
        case .attribute:
            switch key {
            case "run_name", "name": return .text(r.name)
            case "status": return .text(status(r.status))
            case "run_id", "run_uuid": return .text(r.id)
            case "user_id": return .text(userID(r))
            case "start_time", "created": return .number(Double(r.startTime))
            case "end_time": return r.endTime.map { .number(Double($0)) }
            case "artifact_uri": return .text(artifactURI(experiment: r.experimentID, run: r.id))
            default: return nil
            }
        }
    }

    /// Orders runs as MLflow does: by the given keys (missing values last), then newest first, then id.
    public static func sorted(_ runs: [RunView], by orders: [SearchOrder]) -> [RunView] {
        runs.sorted { a, b in
            for o in orders {
                let x = field(a, o.entity, o.key)
                let y = field(b, o.entity, o.key)
                if x == y { continue }
                guard let x else { return false }
                guard let y else { return true }
                let less: Bool
                switch (x, y) {
                case (.number(let p), .number(let q)): less = p < q
                case (.text(let p), .text(let q)): less = p < q
                case (.number, .text): less = true
                case (.text, .number): less = false
                }
                return o.ascending ? less : !less
            }
            if a.startTime != b.startTime { return a.startTime > b.startTime }
            return a.id < b.id
        }
    }

    // MARK: - Registry

    /// Ledger aliases that stand for MLflow stages.
    public static let stageAliases = ["staging": "Staging", "production": "Production"]

    /// The ledger alias of an MLflow stage; nil for None and Archived (handled apart).
    public static func stageAlias(_ stage: String) throws(MLflowError) -> String? {
        switch stage.lowercased() {
        case "staging", "production": return stage.lowercased()
        case "none", "archived": return nil
        default: throw .invalid("Invalid Model Version stage: \(stage). Value must be one of None, Staging, Production, Archived.")
        }
    }

    public static func currentStage(_ v: VersionView) -> String {
        if v.archived { return "Archived" }
        if v.aliases.contains("production") { return "Production" }
        if v.aliases.contains("staging") { return "Staging" }
        return "None"
    }

    /// The MLflow source of a version: the run's folder its files share, as `runs:/RUN/PATH`.
    public static func source(_ v: VersionView) -> String {
        if let logged = v.loggedModel { return "models:/\(loggedModelID(hex: logged))" }
        guard let run = v.run else { return "" }
        let tops = Set(v.files.map { $0.path.split(separator: "/").first.map(String.init) ?? "" })
        let folder = tops.count == 1 && v.files.allSatisfy { $0.path.contains("/") } ? tops.first ?? "" : ""
        return "runs:/\(run)/\(folder)"
    }

    public static func modelVersion(_ m: ModelView, _ v: VersionView, tags: [String: String]) -> [String: Any] {
        var out: [String: Any] = [
            "name": m.name, "version": String(v.number), "creation_timestamp": v.createdAt,
            "last_updated_timestamp": v.createdAt, "user_id": user(v.author, imported: v.imported),
            "current_stage": currentStage(v), "description": v.description ?? "", "source": source(v),
            "status": "READY", "tags": keyValues(tags), "run_link": "",
            "aliases": v.aliases.filter { stageAliases[$0] == nil },
        ]
        if let run = v.run { out["run_id"] = run }
        if let logged = v.loggedModel { out["model_id"] = loggedModelID(hex: logged) }
        return out
    }

    public static func registeredModel(_ m: ModelView, tags: [String: String] = [:], versionTags: (VersionView) -> [String: String]) -> [String: Any]
    {
        // The latest version of each stage, as MLflow's latest_versions lists them.
        var latest = [String: VersionView]()
        for v in m.versions { latest[currentStage(v)] = v }
        return [
            "name": m.name, "creation_timestamp": m.createdAt,
            "last_updated_timestamp": max(m.createdAt, m.versions.map(\.createdAt).max() ?? 0),
            "description": m.description ?? "",
            "latest_versions": latest.values.sorted { $0.number < $1.number }.map { modelVersion(m, $0, tags: versionTags($0)) },
            "aliases": m.aliases.compactMap { a -> [String: Any]? in
                guard stageAliases[a.alias] == nil, let n = a.versionNumber else { return nil }
                return ["alias": a.alias, "version": String(n)]
            },
            "tags": keyValues(tags),
        ]
    }

    /// The value of a model version's field for `search_model_versions` filters.
    public static func field(
        _ m: ModelView, _ v: VersionView, tags: [String: String], _ entity: SearchFilter.Entity, _ key: String
    ) -> SearchFilter.FieldValue? {
        switch entity {
        case .tag: return tags[key].map { .text($0) }
        case .attribute:
            switch key {
            case "name": return .text(m.name)
            case "run_id": return v.run.map { .text($0) }
            case "version_number", "version": return .number(Double(v.number))
            case "source": return .text(source(v))
            case "current_stage": return .text(currentStage(v))
            default: return nil
            }
        default: return nil
        }
    }

    // MARK: - Promotion reasons and version tags

    /// Version tags travel as comments on the version ("mlflow tag KEY=VALUE"), so they are signed,
    /// synced and shown in the audit trail like any comment.
    public static let versionTagPrefix = "mlflow tag "
    /// The version tag a client sets to give the reason for its next stage or alias change.
    public static let reasonTag = "mledger.reason"

    public static func versionTagComment(key: String, value: String) -> String { "\(versionTagPrefix)\(key)=\(value)" }
    /// Removes a tag set by `versionTagComment` (a later comment; the earlier one stays in the audit trail).
    public static let tagRemovalPrefix = "mlflow untag "
    public static func tagRemovalComment(key: String) -> String { "\(tagRemovalPrefix)\(key)" }

    /// Version tags from comment texts, oldest first (a later value of a key wins).
    public static func versionTags(comments: [String]) -> [String: String] {
        var tags = [String: String]()
        for text in comments {
            guard let (key, value) = tagChange(text) else { continue }
            tags[key] = value
        }
        return tags
    }

    /// The tags whose current value a marked comment set (an import marks the comments it wrote).
    public static func tagKeys(setByMarked comments: [(text: String, imported: Bool)]) -> Set<String> {
        var keys = Set<String>()
        for c in comments {
            guard let (key, value) = tagChange(c.text) else { continue }
            if value != nil, c.imported { keys.insert(key) } else { keys.remove(key) }
        }
        return keys
    }

    /// The tag a comment sets (with its value) or removes (nil), if it is a tag comment.
    static func tagChange(_ text: String) -> (key: String, value: String?)? {
        if text.hasPrefix(tagRemovalPrefix) { return (String(text.dropFirst(tagRemovalPrefix.count)), nil) }
        guard text.hasPrefix(versionTagPrefix) else { return nil }
        let rest = text.dropFirst(versionTagPrefix.count)
        guard let eq = rest.firstIndex(of: "="), eq != rest.startIndex else { return nil }
        return (String(rest[..<eq]), String(rest[rest.index(after: eq)...]))
    }

    /// The reason of a stage or alias change made through MLflow: the version's `mledger.reason` tag,
    /// else its description, else the shared marker of a missing reason.
    public static func promotionReason(tags: [String: String], description: String?) -> String {
        for candidate in [tags[reasonTag], description] {
            if let c = candidate, !PromotionReason.isMissing(c) { return c }
        }
        return PromotionReason.missing
    }
}
