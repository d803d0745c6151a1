import Foundation
import Hummingbird
import LedgerModel
import LedgerProtocol
import LedgerStore

/// Registered models, model versions, stages and aliases. Stages are ledger aliases (`staging`,
/// `production`), Archived is a version archival; every change carries a reason (see
/// `Translation.promotionReason`), so the audit trail shows who moved what and why, or that no reason was given.
struct RegistryRoutes {
    let service: MLflowService

    func register(on router: Router<BasicRequestContext>) {
        let s = service
        router.mlflow(.post, "/api/2.0/mlflow/registered-models/create") { r in
            let name = try r.required("name")
            try s.serialized {
                let description = r.string("description").flatMap { $0.isEmpty ? nil : $0 }
                if let existing = try? s.ledger.modelID(named: name) {
                    // A deleted model's name is free again: the model (same id, same history) is restored.
                    guard try s.ledger.isDeleted(existing) else { throw MLflowError.exists("Registered Model (name=\(name)) already exists.") }
                    try s.append(EntityDelete(target: existing, restore: true, reason: "registered again"))
                    if let description { try s.describe(existing, description) }
                } else {
                    let id = EntityID.model(team: try s.team(), name: name)
                    if let renamed = try s.ledger.models().first(where: { $0.id == id.hex }) {
                        throw MLflowError.exists(MLflowService.firstNameTaken(name, now: renamed.name, what: "registered model"))
                    }
                    try s.append(ModelCreate(name: name, description: description))
                }
            }
            return ["registered_model": s.registeredModelJSON(try s.model(name))]
        }
        router.mlflow(.get, "/api/2.0/mlflow/registered-models/get") { r in
            ["registered_model": s.registeredModelJSON(try s.model(try r.required("name")))]
        }
        router.mlflow(.get, "/api/2.0/mlflow/registered-models/search") { r in
            let filter = try SearchFilter(parsing: r.string("filter"))
            let deleted = try s.ledger.deletedIDs()
            let models = try s.ledger.models().filter { !deleted.contains($0.id) }.map { try s.model($0.name) }.filter { m in
                // The client adds `tags.mlflow.prompt.is_prompt != 'true'` to leave prompts out: a missing tag is empty.
                let tags = s.tags(of: m.id)
                return filter.matches { entity, key in
                    switch entity {
                    case .attribute: key == "name" ? .text(m.name) : nil
                    case .tag: .text(tags[key] ?? "")
                    default: nil
                    }
                }
            }
            return ["registered_models": models.prefix(try r.int64("max_results").map(Int.init) ?? 100).map(s.registeredModelJSON)]
        }
        router.mlflow([.post, .get], "/api/2.0/mlflow/registered-models/get-latest-versions") { r in
            let m = try s.model(try r.required("name"))
            let stages = Set(r.strings("stages").map { $0.lowercased() })
            var latest = [String: VersionView]()
            for v in m.versions where stages.isEmpty || stages.contains(Translation.currentStage(v).lowercased()) {
                latest[Translation.currentStage(v)] = v
            }
            return ["model_versions": latest.values.sorted { $0.number < $1.number }.map { s.modelVersionJSON(m, $0) }]
        }
        router.mlflow(.post, "/api/2.0/mlflow/model-versions/create") { r in
            let name = try r.required("name")
            let source = r.string("source") ?? ""
            let created = try s.serialized { () throws -> LedgerID in
                let modelID = try s.ledger.modelID(named: name)
                var run = try r.string("run_id").flatMap { $0.isEmpty ? nil : try s.existingRun($0) }
                // MLflow 3 registers a logged model (`models:/m-...`): its files and its run.
                let loggedText =
                    r.string("model_id").flatMap { $0.isEmpty ? nil : $0 }
                    ?? (source.hasPrefix("models:/m-") ? String(source.dropFirst("models:/".count).prefix { $0 != "/" }) : nil)
                let logged = try loggedText.map { try s.loggedModel($0) }
                let files: [ArtifactFile]
                if let logged {
                    let id = try s.ledgerID(logged)
                    files = try s.ledger.loggedModelFiles(id)
                    if let source = logged.run.flatMap({ LedgerID(hex: $0) }) { run = source }
                } else {
                    files = try run.map { try Self.files(of: $0, source: source, s) } ?? []
                }
                let number = UInt64(try s.ledger.versionCount(model: modelID) + 1)
                let description = r.string("description").flatMap { $0.isEmpty ? nil : $0 }
                let event = try s.append(
                    VersionCreate(
                        model: modelID, run: run, files: files, claimedNumber: number, description: description,
                        loggedModel: try logged.map { try s.ledgerID($0) }))
                let tags = try r.pairs("tags")
                if !tags.isEmpty {
                    try s.append(
                        tags.map { try Ledger.Draft(CommentAdd(target: event.id, text: Translation.versionTagComment(key: $0.key, value: $0.value))) }
                    )
                }
                return event.id
            }
            let m = try s.model(name)
            guard let v = m.versions.first(where: { $0.id == created.hex }) else {
                throw MLflowError(.internalError, "the new version is missing from the model view")
            }
            return ["model_version": s.modelVersionJSON(m, v)]
        }
        router.mlflow(.get, "/api/2.0/mlflow/model-versions/get") { r in
            let m = try s.model(try r.required("name"))
            return ["model_version": s.modelVersionJSON(m, try s.version(m, try r.required("version")))]
        }
        // Where the client downloads a version's files: its logged model's or its run's artifact folder.
        router.mlflow(.get, "/api/2.0/mlflow/model-versions/get-download-uri") { r in
            let m = try s.model(try r.required("name"))
            let v = try s.version(m, try r.required("version"))
            return ["artifact_uri": try s.downloadURI(v)]
        }
        router.mlflow(.get, "/api/2.0/mlflow/model-versions/search") { r in
            let filter = try SearchFilter(parsing: r.string("filter"))
            var out = [[String: Any]]()
            let deleted = try s.ledger.deletedIDs()
            for m in try s.ledger.models() where !deleted.contains(m.id) {
                for v in try s.model(m.name).versions.reversed() {
                    let tags = s.versionTags(v)
                    if filter.matches({ Translation.field(m, v, tags: tags, $0, $1) }) { out.append(Translation.modelVersion(m, v, tags: tags)) }
                }
            }
            return ["model_versions": Array(out.prefix(try r.int64("max_results").map(Int.init) ?? 10_000))]
        }
        router.mlflow(.post, "/api/2.0/mlflow/model-versions/set-tag") { r in
            let m = try s.model(try r.required("name"))
            let v = try s.version(m, try r.required("version"))
            guard let id = LedgerID(hex: v.id) else { throw MLflowError(.internalError, "bad version id \(v.id)") }
            try s.append(CommentAdd(target: id, text: Translation.versionTagComment(key: try r.required("key"), value: r.string("value") ?? "")))
            return [:]
        }
        router.mlflow(.post, "/api/2.0/mlflow/model-versions/transition-stage") { r in
            let name = try r.required("name")
            let number = try r.required("version")
            let stage = try r.required("stage")
            let alias = try Translation.stageAlias(stage)
            var opened: RequestView?
            try s.serialized {
                let m = try s.model(name)
                let v = try s.version(m, number)
                let reason = Translation.promotionReason(tags: s.versionTags(v), description: v.description)
                if let alias {
                    let displaced = m.versions.filter { $0.id != v.id && $0.aliases.contains(alias) }
                    opened = try s.setAlias(m, alias, v, reason: reason)
                    if r.bool("archive_existing_versions"), opened == nil {
                        for old in displaced { try s.archive(m, old, reason: reason) }
                    }
                } else {
                    for a in v.aliases where Translation.stageAliases[a] != nil { try s.removeAlias(m, a, reason: reason) }
                    if stage.lowercased() == "archived", !v.archived { try s.archive(m, v, reason: reason) }
                }
            }
            let m = try s.model(name)
            var answer: [String: Any] = ["model_version": s.modelVersionJSON(m, try s.version(m, number))]
            if let opened { answer[Translation.promotionRequestKey] = Translation.promotionRequest(opened) }
            return answer
        }
        router.mlflow(.post, "/api/2.0/mlflow/registered-models/alias") { r in
            let name = try r.required("name")
            let alias = try r.required("alias")
            let number = try r.required("version")
            var opened: RequestView?
            try s.serialized {
                let m = try s.model(name)
                let v = try s.version(m, number)
                opened = try s.setAlias(m, alias, v, reason: Translation.promotionReason(tags: s.versionTags(v), description: v.description))
            }
            var answer = [String: Any]()
            if let opened { answer[Translation.promotionRequestKey] = Translation.promotionRequest(opened) }
            return answer
        }
        router.mlflow(.delete, "/api/2.0/mlflow/registered-models/alias") { r in
            let name = try r.required("name")
            let alias = try r.required("alias")
            try s.serialized {
                let m = try s.model(name)
                guard let current = m.aliases.first(where: { $0.alias == alias }), let number = current.versionNumber else { return }
                let v = try s.version(m, String(number))
                try s.removeAlias(m, alias, reason: Translation.promotionReason(tags: s.versionTags(v), description: nil))
            }
            return [:]
        }
        router.mlflow(.get, "/api/2.0/mlflow/registered-models/alias") { r in
            let name = try r.required("name")
            let alias = try r.required("alias")
            let m = try s.model(name)
            guard let current = m.aliases.first(where: { $0.alias == alias }), let number = current.versionNumber else {
                throw MLflowError.notFound("Registered model alias \(alias) not found.")
            }
            return ["model_version": s.modelVersionJSON(m, try s.version(m, String(number)))]
        }
    }

    /// The run's artifact files a version takes: those under the source's folder (`runs:/RUN/model`
    /// or `mlflow-artifacts:/EXP/RUN/artifacts/model`), or every file when the source names none.
    static func files(of run: LedgerID, source: String, _ s: MLflowService) throws -> [ArtifactFile] {
        let all = try s.ledger.runFiles(run)
        let folder: String
        if source.hasPrefix("runs:/") {
            folder = source.dropFirst("runs:/".count).split(separator: "/", omittingEmptySubsequences: true).dropFirst().joined(separator: "/")
        } else if let range = source.range(of: "/\(run.hex)/artifacts") {
            folder = source[range.upperBound...].split(separator: "/").joined(separator: "/")
        } else {
            folder = ""
        }
        return folder.isEmpty ? all : all.filter { $0.path.hasPrefix(folder + "/") || $0.path == folder }
    }
}

extension MLflowService {
    func downloadURI(_ v: VersionView) throws -> String {
        if let logged = v.loggedModel, let m = try? ledger.loggedModel(logged) {
            return Translation.loggedModelArtifactURI(experiment: try mlflowExperimentID(m.experimentID), model: m.mlflowID)
        }
        guard let run = v.run else { return "" }
        let source = Translation.source(v)
        let folder = source.split(separator: "/", omittingEmptySubsequences: true).dropFirst(2).joined(separator: "/")
        let base = Translation.artifactURI(experiment: try mlflowExperimentID(try self.run(run).experimentID), run: run)
        return folder.isEmpty ? base : "\(base)/\(folder)"
    }

    func registeredModelJSON(_ m: ModelView) -> [String: Any] {
        Translation.registeredModel(m, tags: tags(of: m.id)) { versionTags($0) }
    }

    /// Replaces an entity's description, naming the writes it replaces.
    func describe(_ model: LedgerID, _ text: String) throws {
        try append(ModelDescribe(model: model, description: text), heads: try ledger.descriptionHeads(entity: model))
    }

    /// Points the alias at the version; an alias that needs approvals (SPEC 6.15) is not moved: a request
    /// is opened instead, and returned so the answer can say so.
    func setAlias(_ m: ModelView, _ alias: String, _ v: VersionView, reason: String) throws -> RequestView? {
        guard let modelID = LedgerID(hex: m.id), let versionID = LedgerID(hex: v.id) else { return nil }
        guard try ledger.approvalsNeeded(alias: alias) > 0 else {
            try ledger.promote(model: modelID, version: versionID, alias: alias, reason: reason, signer: signer)
            return nil
        }
        let event = try ledger.requestPromotion(model: modelID, version: versionID, alias: alias, reason: reason, signer: signer)
        return try ledger.request(event.id.hex)
    }

    func removeAlias(_ m: ModelView, _ alias: String, reason: String) throws {
        guard let modelID = LedgerID(hex: m.id) else { return }
        let heads = try ledger.aliasHeads(model: modelID, alias: alias)
        guard !heads.isEmpty else { return }
        try append(Demote(model: modelID, alias: alias, reason: reason), heads: heads)
    }

    func archive(_ m: ModelView, _ v: VersionView, reason: String) throws {
        guard let modelID = LedgerID(hex: m.id), let versionID = LedgerID(hex: v.id) else { return }
        try append(VersionArchive(model: modelID, version: versionID, reason: reason))
    }
}
