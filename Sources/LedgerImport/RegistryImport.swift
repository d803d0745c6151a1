import Foundation
import LedgerMLflow
import LedgerModel
import LedgerProtocol
import LedgerStore

extension Importer {
    /// Every registered model (or those named), each with its versions in number order, their tags and
    /// archival, then the aliases and stages MLflow holds now: recorded as the state at import, since
    /// MLflow keeps no history of them.
    func importRegistry(_ models: [MLRegisteredModel]) async throws {
        var versions = [String: [MLModelVersion]]()
        var token: String?
        repeat {
            let page = try await source.modelVersions(page: token)
            for v in page.items where models.contains(where: { $0.name == v.name }) { versions[v.name, default: []].append(v) }
            token = page.next
        } while token != nil
        for m in models {
            report("registered model \(m.name)")
            try importModel(m, versions: (versions[m.name] ?? []).sorted { $0.number < $1.number })
        }
    }

    /// The registered models an import covers: all, or those named (each must exist).
    func registeredModels() async throws -> [MLRegisteredModel] {
        var all = [MLRegisteredModel]()
        var token: String?
        repeat {
            let page = try await source.registeredModels(page: token)
            all += page.items
            token = page.next
        } while token != nil
        let wanted = Set(options.models.map(\.nfc))
        guard !wanted.isEmpty else { return all }
        let missing = wanted.subtracting(all.map { $0.name.nfc })
        guard missing.isEmpty else {
            throw ImportError.invalidOption(
                "no registered model named \(missing.sorted().map { "'\($0)'" }.joined(separator: ", ")) on \(source.name)")
        }
        return all.filter { wanted.contains($0.name.nfc) }
    }

    func importModel(_ m: MLRegisteredModel, versions: [MLModelVersion]) throws {
        let ids = ["name": m.name]
        let p = provenance("registered_model", ids, time: m.creationTimestamp, updated: m.lastUpdatedTimestamp)
        let modelID = EntityID.model(team: team, name: m.name.nfc)
        let existing = try? ledger.model(modelID)
        let description = m.description.nonEmpty
        var d = Drafts(p)
        if map.entity(.modelCreate, object: "registered_model", ids: ids) == nil {
            // A model of that name already in the ledger keeps its description register; it is written below.
            let added = d.add(ModelCreate(name: m.name.nfc, description: existing == nil ? description : nil), what: "registered model '\(m.name)'")
            guard added else {
                summary.skipped += d.skipped
                return
            }
            try append(d)
            d = Drafts(p)
            map.note(.modelCreate, object: "registered_model", ids: ids, entity: modelID)
            summary.registeredModels += 1
            if options.dryRun {
                summary.versions += versions.count
                return
            }
        }
        let current = try ledger.model(modelID)
        if (current.description ?? "") != (m.description ?? "") {
            d.add(
                ModelDescribe(model: modelID, description: m.description ?? ""), heads: try ledger.descriptionHeads(entity: modelID),
                what: "description of registered model '\(m.name)'")
        }
        try tagComments(on: modelID, m.tags, into: &d, what: "registered model '\(m.name)'")
        try append(d)
        var versionIDs = [String: LedgerID]()
        for v in versions {
            if let id = try importVersion(v, model: modelID, current: current) { versionIDs[v.version] = id }
        }
        try importAliases(m, versions: versions, versionIDs: versionIDs, model: modelID)
    }

    /// Tags of a registered model or version, kept as comments as the MLflow endpoint keeps them
    /// (`Translation.versionTagComment`): one comment per tag whose value differs, and one removal per
    /// tag an earlier import set that the source no longer has.
    func tagComments(on target: LedgerID, _ tags: [MLKeyValue], into d: inout Drafts, what: String) throws {
        let comments = options.dryRun && target == Self.dryRunID ? [] : try ledger.comments(on: target, importedFrom: source.name)
        let current = Translation.versionTags(comments: comments.map(\.text))
        for (k, v) in d.holdable(tags.map, limit: 8000, what: "tag of \(what)").sorted(by: { $0.key < $1.key }) where current[k] != v {
            if d.add(CommentAdd(target: target, text: Translation.versionTagComment(key: k, value: v)), what: "tag '\(k)' of \(what)") {
                summary.tags += 1
            }
        }
        let gone = Translation.tagKeys(setByMarked: comments).subtracting(tags.map(\.key))
        for k in gone.sorted()
        where d.add(CommentAdd(target: target, text: Translation.tagRemovalComment(key: k)), what: "removal of tag '\(k)' of \(what)") {
            summary.tagsRemoved += 1
        }
    }

    func importVersion(_ v: MLModelVersion, model: LedgerID, current: ModelView) throws -> LedgerID? {
        let ids = ["name": v.name, "version": v.version]
        var data = [String: String]()
        data["source"] = v.source
        data["run_id"] = v.runID
        data["model_id"] = v.modelID
        let p = provenance("model_version", ids, user: v.userID, time: v.creationTimestamp, updated: v.lastUpdatedTimestamp, data: data)
        let what = "version \(v.version) of '\(v.name)'"
        var id = map.entity(.versionCreate, object: "model_version", ids: ids)
        if id == nil {
            let run = v.runID.flatMap { map.entity(.runStart, object: "run", ids: ["run_id": $0]) }
            let logged = v.loggedModelID.flatMap { map.entity(.loggedModelCreate, object: "logged_model", ids: ["model_id": $0]) }
            var files = [ArtifactFile]()
            if let logged {
                files = try ledger.loggedModelFiles(logged)
            } else if let run, let folder = Self.artifactFolder(source: v.source ?? "", runID: v.runID) {
                files = try ledger.runFiles(run).filter { folder.isEmpty || $0.path == folder || $0.path.hasPrefix(folder + "/") }
            }
            var d = Drafts(p)
            d.add(
                VersionCreate(
                    model: model, run: run, files: files, claimedNumber: UInt64(max(1, v.number)),
                    description: v.description.nonEmpty, loggedModel: logged), what: what)
            guard let created = try create(d, entity: { $0.id }) else { return nil }
            id = created
            map.note(.versionCreate, object: "model_version", ids: ids, entity: created)
            summary.versions += 1
        }
        guard let id else { return nil }
        var d = Drafts(p)
        try tagComments(on: id, v.tags, into: &d, what: what)
        let held = current.versions.first { $0.id == id.hex }
        if let held, (held.description ?? "") != (v.description ?? "") {
            d.add(
                ModelDescribe(model: model, version: id, description: v.description ?? ""), heads: try ledger.descriptionHeads(entity: id),
                what: "description of \(what)")
        }
        let archived = held?.archived ?? false
        if v.currentStage.lowercased() == "archived", !archived {
            var state = p
            state.stateAtImport = true
            d.add(
                VersionArchive(model: model, version: id, reason: Self.stateReason("stage Archived", of: v)), provenance: state,
                what: "archival of \(what)")
            summary.archived += 1
        }
        try append(d)
        return id
    }

    /// The folder of a run's artifacts a version's source names (`runs:/RUN/PATH` or the run's artifact
    /// location and a path), "" for the whole run; nil when the source is elsewhere.
    static func artifactFolder(source: String, runID: String?) -> String? {
        if source.hasPrefix("runs:/") {
            let rest = source.dropFirst("runs:/".count).drop { $0 == "/" }
            guard let slash = rest.firstIndex(of: "/") else { return "" }
            return String(rest[rest.index(after: slash)...]).trimmingCharacters(in: CharacterSet(charactersIn: "/"))
        }
        guard let runID else { return nil }
        if let r = source.range(of: "/\(runID)/artifacts/") {
            return String(source[r.upperBound...]).trimmingCharacters(in: CharacterSet(charactersIn: "/"))
        }
        return source.hasSuffix("/\(runID)/artifacts") ? "" : nil
    }

    static func stateReason(_ what: String, of v: MLModelVersion) -> String {
        "state at import: \(what) of version \(v.version) in MLflow, which keeps no history of when it was set or by whom"
    }

    /// Sets each alias and stage (the highest version in Staging, in Production) as MLflow holds it, and
    /// removes those an earlier import from this source set that MLflow no longer holds.
    func importAliases(_ m: MLRegisteredModel, versions: [MLModelVersion], versionIDs: [String: LedgerID], model: LedgerID) throws {
        var desired = [String: (version: MLModelVersion, what: String)]()
        for v in versions {
            if let alias = try? Translation.stageAlias(v.currentStage) { desired[alias] = (v, "stage \(v.currentStage)") }
        }
        for a in m.aliases {
            if let v = versions.first(where: { $0.version == a.version }) { desired[a.alias.nfc] = (v, "alias \(a.alias)") }
        }
        let view = try ledger.model(model)
        for (alias, target) in desired.sorted(by: { $0.key < $1.key }) {
            guard let vid = versionIDs[target.version.version] else { continue }
            let now = view.aliases.first { $0.alias == alias }
            if now?.version == vid.hex, now?.conflict.isEmpty ?? true { continue }
            let p = provenance(
                "model_version", ["name": m.name, "version": target.version.version], updated: target.version.lastUpdatedTimestamp,
                data: [target.what.hasPrefix("stage") ? "stage" : "alias": target.what.hasPrefix("stage") ? target.version.currentStage : alias],
                stateAtImport: true)
            var d = Drafts(p)
            d.add(
                Promote(model: model, version: vid, alias: alias, reason: Self.stateReason(target.what, of: target.version)),
                heads: try ledger.aliasHeads(model: model, alias: alias), what: "\(target.what) of version \(target.version.version) of '\(m.name)'")
            if try appendAllowed(d) { summary.aliases += 1 }
        }
        for a in view.aliases where desired[a.alias] == nil && a.version != nil {
            guard let event = LedgerID(hex: a.event), let record = try ledger.importRecord(event), record.source == source.name else { continue }
            let p = provenance("registered_model", ["name": m.name], data: ["alias": a.alias], stateAtImport: true)
            var d = Drafts(p)
            d.add(
                Demote(
                    model: model, alias: a.alias,
                    reason: "state at import: '\(a.alias)' is no longer set in MLflow, which keeps no history of when it was removed or by whom"),
                heads: try ledger.aliasHeads(model: model, alias: a.alias), what: "removal of '\(a.alias)' of '\(m.name)'")
            if try appendAllowed(d) { summary.aliases += 1 }
        }
    }

    /// Appends an alias change; one the importer's role may not make (a protected alias) is skipped and named.
    func appendAllowed(_ d: Drafts) throws -> Bool {
        do {
            try append(d)
            return !d.isEmpty
        } catch StoreError.rejected(.forbidden(let why)) {
            summary.skipped.append("an alias change: \(why)")
            return false
        }
    }
}
