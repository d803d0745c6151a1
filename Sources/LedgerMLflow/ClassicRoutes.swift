import Foundation
import Hummingbird
import LedgerModel
import LedgerProtocol
import LedgerStore

/// The rest of MLflow's classic REST API: deletes and restores (signed tombstones: views hide the
/// entity, the audit trail keeps it), experiment and registry tags, descriptions, metric history over
/// several runs, artifact listings.
struct ClassicRoutes {
    let service: MLflowService

    func register(on router: Router<BasicRequestContext>) {
        let s = service
        for (action, restore) in [("delete", false), ("restore", true)] {
            router.mlflow(.post, "/api/2.0/mlflow/experiments/\(action)") { r in
                try s.tombstone(try s.experimentLedgerID(try r.required("experiment_id")), restore: restore)
                return [:]
            }
            router.mlflow(.post, "/api/2.0/mlflow/runs/\(action)") { r in
                try s.tombstone(try s.existingRun(try r.required("run_id")), restore: restore)
                return [:]
            }
        }
        router.mlflow(.post, "/api/2.0/mlflow/experiments/set-experiment-tag") { r in
            let id = try s.experimentLedgerID(try r.required("experiment_id"))
            try s.append(ExperimentTag(experiment: id, key: try r.required("key"), value: r.string("value") ?? ""))
            return [:]
        }
        router.mlflow(.post, "/api/2.0/mlflow/experiments/delete-experiment-tag") { r in
            let id = try s.experimentLedgerID(try r.required("experiment_id"))
            let key = try r.required("key")
            guard try s.ledger.experimentTags(id)[key] != nil else {
                throw MLflowError.notFound("No tag with name: \(key) in experiment with id \(try r.required("experiment_id"))")
            }
            try s.append(ExperimentTag(experiment: id, key: key, value: nil))
            return [:]
        }
        router.mlflow(.post, "/api/2.0/mlflow/experiments/update") { r in
            let e = try s.experiment(try r.required("experiment_id"))
            guard let name = r.string("new_name"), !name.isEmpty else { return [:] }
            try s.serialized {
                guard e.name != Translation.defaultExperimentName, name != Translation.defaultExperimentName else {
                    throw MLflowError.invalid("the Default experiment keeps its name here (its MLflow id 0 follows the name)")
                }
                if try s.ledger.experiments().contains(where: { $0.name == name && $0.id != e.id }) {
                    throw MLflowError.exists("Experiment '\(name)' already exists.")
                }
                guard let id = LedgerID(hex: e.id) else { throw MLflowError(.internalError, "bad experiment id \(e.id)") }
                try s.append(EntityRename(target: id, name: name, reason: "renamed through MLflow from '\(e.name)'"))
            }
            return [:]
        }
        router.mlflow(.post, "/api/2.0/mlflow/runs/delete-tag") { r in
            let run = try s.run(try r.required("run_id"))
            let key = try r.required("key")
            guard run.tags[key] != nil, let id = LedgerID(hex: run.id) else {
                throw MLflowError.notFound("No tag with name: \(key) in run with id \(run.id)")
            }
            try s.append(RunTags(run: id, tags: [:], removed: [key]))
            return [:]
        }
        router.mlflow(.post, "/api/2.0/mlflow/registered-models/rename") { r in
            let m = try s.model(try r.required("name"))
            let name = try r.required("new_name")
            try s.serialized {
                if name != m.name, (try? s.ledger.modelID(named: name)) != nil {
                    throw MLflowError.exists("Registered Model (name=\(name)) already exists.")
                }
                try s.append(EntityRename(target: try s.ledgerID(m), name: name, reason: "renamed through MLflow from '\(m.name)'"))
            }
            return ["registered_model": s.registeredModelJSON(try s.model(name))]
        }
        router.mlflow(.patch, "/api/2.0/mlflow/model-versions/update") { r in
            let m = try s.model(try r.required("name"))
            let number = try r.required("version")
            let v = try s.version(m, number)
            if let description = r.string("description") {
                guard let id = LedgerID(hex: v.id) else { throw MLflowError(.internalError, "bad version id \(v.id)") }
                try s.append(
                    ModelDescribe(model: try s.ledgerID(m), version: id, description: description), heads: try s.ledger.descriptionHeads(entity: id))
            }
            let updated = try s.model(m.name)
            return ["model_version": s.modelVersionJSON(updated, try s.version(updated, number))]
        }
        router.mlflow(.delete, "/api/2.0/mlflow/registered-models/delete") { r in
            let m = try s.model(try r.required("name"))
            try s.tombstone(try s.ledgerID(m), restore: false)
            return [:]
        }
        router.mlflow(.patch, "/api/2.0/mlflow/registered-models/update") { r in
            let m = try s.model(try r.required("name"))
            if let description = r.string("description") { try s.describe(try s.ledgerID(m), description) }
            return ["registered_model": s.registeredModelJSON(try s.model(m.name))]
        }
        router.mlflow(.post, "/api/2.0/mlflow/registered-models/set-tag") { r in
            let m = try s.model(try r.required("name"))
            try s.comment(on: m.id, Translation.versionTagComment(key: try r.required("key"), value: r.string("value") ?? ""))
            return [:]
        }
        router.mlflow(.delete, "/api/2.0/mlflow/registered-models/delete-tag") { r in
            let m = try s.model(try r.required("name"))
            try s.comment(on: m.id, Translation.tagRemovalComment(key: try r.required("key")))
            return [:]
        }
        router.mlflow(.delete, "/api/2.0/mlflow/model-versions/delete") { r in
            let m = try s.model(try r.required("name"))
            let v = try s.version(m, try r.required("version"))
            guard let id = LedgerID(hex: v.id) else { throw MLflowError(.internalError, "bad version id \(v.id)") }
            try s.tombstone(id, restore: false)
            return [:]
        }
        router.mlflow(.delete, "/api/2.0/mlflow/model-versions/delete-tag") { r in
            let m = try s.model(try r.required("name"))
            let v = try s.version(m, try r.required("version"))
            try s.comment(on: v.id, Translation.tagRemovalComment(key: try r.required("key")))
            return [:]
        }
        router.mlflow(.get, "/api/2.0/mlflow/metrics/get-history-bulk-interval") { r in
            let key = try r.required("metric_key")
            let runs = r.strings("run_ids")
            guard !runs.isEmpty else { throw MLflowError.invalid("Missing value for required parameter 'run_ids'.") }
            let start = try r.int64("start_step")
            let end = try r.int64("end_step")
            let limit = max(1, try r.int64("max_results").map(Int.init) ?? 320)
            var out = [[String: Any]]()
            for text in runs {
                let id = try s.existingRun(text)
                let points = try s.ledger.metricHistory(run: id, key: key).filter { p in
                    (start.map { p.step >= $0 } ?? true) && (end.map { p.step <= $0 } ?? true)
                }
                for p in Self.evenly(points, limit) {
                    var m = Translation.metric(key, p)
                    m["run_id"] = id.hex
                    out.append(m)
                }
            }
            return ["metrics": out]
        }
        router.mlflow(.get, "/api/2.0/mlflow/artifacts/list") { r in
            let run = try s.run(r.runField())
            let id = try s.existingRun(run.id)
            let folder = r.string("path").flatMap { $0.isEmpty ? nil : $0 }
            var out: [String: Any] = ["root_uri": Translation.artifactURI(experiment: try s.mlflowExperimentID(run.experimentID), run: run.id)]
            let files = ArtifactLocation.listing(try s.ledger.runFiles(id), under: folder)
            out["files"] = files.map { f -> [String: Any] in
                var f = f
                f["path"] = [folder, f["path"] as? String].compactMap { $0 }.joined(separator: "/")
                return f
            }
            return out
        }
    }

    /// At most `limit` points spread evenly over the series, first and last kept (MLflow's sampling).
    static func evenly(_ points: [MetricPoint], _ limit: Int) -> [MetricPoint] {
        guard points.count > limit, limit > 1 else { return Array(points.prefix(limit)) }
        let stride = Double(points.count - 1) / Double(limit - 1)
        return (0..<limit).map { points[Int((Double($0) * stride).rounded())] }
    }
}

extension MLflowService {
    /// Deletes (or restores) an entity with a signed tombstone.
    func tombstone(_ id: LedgerID, restore: Bool) throws {
        try append(EntityDelete(target: id, restore: restore, reason: restore ? "restored through MLflow" : "deleted through MLflow"))
    }

    func comment(on hex: String, _ text: String) throws {
        guard let id = LedgerID(hex: hex) else { throw MLflowError(.internalError, "bad entity id \(hex)") }
        try append(CommentAdd(target: id, text: text))
    }

    func ledgerID(_ m: ModelView) throws -> LedgerID {
        guard let id = LedgerID(hex: m.id) else { throw MLflowError(.internalError, "bad model id \(m.id)") }
        return id
    }
}
