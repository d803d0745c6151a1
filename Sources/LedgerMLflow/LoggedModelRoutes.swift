import Foundation
import Hummingbird
import LedgerModel
import LedgerProtocol
import LedgerStore

/// MLflow 3 logged models (`/logged-models`), and what runs read and produced (`runs/log-inputs`,
/// `runs/outputs`, `runs/log-model`). A logged model is a ledger entity of its own: created, updated
/// (status, params, tags, files) and deleted by signed events; its files live in the blob store.
struct LoggedModelRoutes {
    let service: MLflowService
    static let base = "/api/2.0/mlflow/logged-models"

    func register(on router: Router<BasicRequestContext>) {
        let s = service
        router.mlflow(.post, Self.base) { r in
            let experiment = try s.experimentForWrite(r.string("experiment_id") ?? Translation.defaultExperimentID)
            let run = try r.string("source_run_id").flatMap { $0.isEmpty ? nil : try s.existingRun($0) }
            let name = r.string("name").flatMap { $0.isEmpty ? nil : $0 } ?? Self.generatedName()
            let event = try s.append(
                LoggedModelCreate(
                    experiment: experiment, name: name, run: run, modelType: r.string("model_type").flatMap { $0.isEmpty ? nil : $0 },
                    params: Dictionary(try r.pairs("params"), uniquingKeysWith: { _, last in last }),
                    tags: Dictionary(try r.pairs("tags"), uniquingKeysWith: { _, last in last })))
            return ["model": try s.loggedModelJSON(try s.ledger.loggedModel(event.id.hex))]
        }
        router.mlflow(.post, "\(Self.base)/search") { r in
            let ids = try r.strings("experiment_ids").map { try s.experimentLedgerID($0) }
            let filter = try SearchFilter(parsing: r.string("filter"))
            let models = try s.ledger.loggedModels(experiments: ids.isEmpty ? nil : ids).filter { m in
                filter.matches { Translation.field(m, $0, $1) }
            }
            let limit = max(1, try r.int64("max_results").map(Int.init) ?? 100)
            let offset = r.string("page_token").flatMap(Int.init) ?? 0
            let page = models.dropFirst(offset).prefix(limit)
            var out: [String: Any] = ["models": try page.map { try s.loggedModelJSON($0) }]
            if offset + page.count < models.count { out["next_page_token"] = String(offset + page.count) }
            return out
        }
        router.mlflow(.get, "\(Self.base)/{model_id}") { r in
            let m = try s.loggedModel(try r.required("model_id"), allowDeleted: r.bool("allow_deleted"))
            return ["model": try s.loggedModelJSON(m)]
        }
        // Finalize: the upload's outcome.
        router.mlflow(.patch, "\(Self.base)/{model_id}") { r in
            let m = try s.loggedModel(try r.required("model_id"))
            let status = try Translation.loggedModelStatus(try r.required("status"))
            try s.append(LoggedModelUpdate(model: try s.ledgerID(m), status: status))
            return ["model": try s.loggedModelJSON(try s.loggedModel(m.mlflowID))]
        }
        router.mlflow(.delete, "\(Self.base)/{model_id}") { r in
            let m = try s.loggedModel(try r.required("model_id"))
            try s.append(EntityDelete(target: try s.ledgerID(m)))
            return [:]
        }
        router.mlflow(.post, "\(Self.base)/{model_id}/params") { r in
            let m = try s.loggedModel(try r.required("model_id"))
            let params = Dictionary(try r.pairs("params"), uniquingKeysWith: { _, last in last })
            if !params.isEmpty { try s.append(LoggedModelUpdate(model: try s.ledgerID(m), params: params)) }
            return [:]
        }
        router.mlflow(.patch, "\(Self.base)/{model_id}/tags") { r in
            let m = try s.loggedModel(try r.required("model_id"))
            let tags = Dictionary(try r.pairs("tags"), uniquingKeysWith: { _, last in last })
            if !tags.isEmpty { try s.append(LoggedModelUpdate(model: try s.ledgerID(m), tags: tags)) }
            return [:]
        }
        router.mlflow(.delete, "\(Self.base)/{model_id}/tags/{tag_key}") { r in
            let m = try s.loggedModel(try r.required("model_id"))
            let key = try r.required("tag_key")
            guard m.tags[key] != nil else { throw MLflowError.notFound("No tag with key '\(key)' on logged model \(m.mlflowID)") }
            try s.append(LoggedModelUpdate(model: try s.ledgerID(m), removedTags: [key]))
            return [:]
        }
        router.mlflow(.get, "\(Self.base)/{model_id}/artifacts/directories") { r in
            let m = try s.loggedModel(try r.required("model_id"))
            let folder = r.string("artifact_directory_path").flatMap { $0.isEmpty ? nil : $0 }
            return ["files": ArtifactLocation.listing(try s.ledger.loggedModelFiles(try s.ledgerID(m)), under: folder)]
        }

        router.mlflow(.post, "/api/2.0/mlflow/runs/log-inputs") { r in
            let run = try s.existingRun(try r.required("run_id"))
            var datasets = [DatasetInput]()
            for input in try r.objects("datasets") {
                guard let d = input.fields["dataset"] as? [String: Any] else { throw MLflowError.invalid("each dataset input needs a 'dataset'") }
                let dataset = MLflowRequest(fields: d)
                datasets.append(
                    DatasetInput(
                        name: try dataset.required("name"), digest: try dataset.required("digest"),
                        sourceType: try dataset.required("source_type"), source: dataset.string("source") ?? "",
                        schema: dataset.string("schema"), profile: dataset.string("profile"),
                        tags: Dictionary(try input.pairs("tags"), uniquingKeysWith: { _, last in last })))
            }
            let models = try r.objects("models").map { try s.ledgerID(try s.loggedModel(try $0.required("model_id"))) }
            if !datasets.isEmpty || !models.isEmpty { try s.append(RunInputs(run: run, datasets: datasets, models: models)) }
            return [:]
        }
        router.mlflow(.post, "/api/2.0/mlflow/runs/outputs") { r in
            let run = try s.existingRun(try r.required("run_id"))
            let outputs = try r.objects("models").map { o in
                RunOutputs.Output(model: try s.ledgerID(try s.loggedModel(try o.required("model_id"))), step: try o.int64("step"))
            }
            if !outputs.isEmpty { try s.append(RunOutputs(run: run, models: outputs)) }
            return [:]
        }
        // MLflow 2's record of a logged model: appended to the run's `mlflow.log-model.history` tag, as MLflow does.
        router.mlflow(.post, "/api/2.0/mlflow/runs/log-model") { r in
            let run = try s.existingRun(try r.required("run_id"))
            let json = try r.required("model_json")
            guard let model = try? JSONSerialization.jsonObject(with: Data(json.utf8)) else {
                throw MLflowError.invalid("'model_json' is not JSON")
            }
            try s.serialized {
                let old = try s.ledger.run(run).tags[Self.historyTag]
                let history = old.flatMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [Any] } ?? []
                let data = try JSONSerialization.data(withJSONObject: history + [model])
                try s.append(RunTags(run: run, tags: [Self.historyTag: String(decoding: data, as: UTF8.self)]))
            }
            return [:]
        }
    }

    static let historyTag = "mlflow.log-model.history"

    /// A name for a logged model the client did not name, as MLflow makes one (two words and a number).
    static func generatedName() -> String {
        let words = ["brave", "calm", "eager", "gentle", "keen", "lucid", "merry", "quiet", "swift", "wise"]
        let things = ["ant", "bee", "cod", "doe", "elk", "fox", "gnu", "hen", "owl", "yak"]
        return "\(words.randomElement() ?? "calm")-\(things.randomElement() ?? "owl")-\(Int.random(in: 100...999))"
    }
}

extension MLflowService {
    /// The logged model an MLflow id names; deleted ones only when asked, as MLflow hides them.
    func loggedModel(_ text: String, allowDeleted: Bool = false) throws -> LoggedModelView {
        let m = try found("Logged model with ID '\(text)' not found.") { () throws(StoreError) in try ledger.loggedModel(text) }
        guard allowDeleted || !m.deleted else { throw MLflowError.notFound("Logged model with ID '\(text)' not found.") }
        return m
    }

    func ledgerID(_ m: LoggedModelView) throws -> LedgerID {
        guard let id = LedgerID(hex: m.id) else { throw MLflowError(.internalError, "bad logged model id \(m.id)") }
        return id
    }

    /// The ledger id of an experiment an MLflow id names.
    func experimentLedgerID(_ mlflowID: String) throws -> LedgerID {
        guard let id = LedgerID(hex: try experiment(mlflowID).id) else { throw MLflowError.notFound("No Experiment with id=\(mlflowID) exists") }
        return id
    }

    /// MLflow's id of an experiment given by its ledger id ("0" for "Default").
    func mlflowExperimentID(_ hex: String) throws -> String {
        let name = try ledger.experiments().first { $0.id == hex }?.name ?? ""
        return Translation.experimentID(hex: hex, name: name)
    }

    func loggedModelJSON(_ m: LoggedModelView) throws -> [String: Any] {
        Translation.loggedModel(m, experimentID: try mlflowExperimentID(m.experimentID))
    }
}
