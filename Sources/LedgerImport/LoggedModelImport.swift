import Foundation
import LedgerMLflow
import LedgerModel
import LedgerProtocol
import LedgerStore

extension Importer {
    /// MLflow 3 logged models of an experiment: created once, then their status, params, tags and files
    /// brought up to date. A server older than MLflow 3 has none.
    func importLoggedModels(of e: MLExperiment, into experiment: LedgerID) async throws {
        let fetcher = RunFetcher(source: source, ledger: ledger, blobs: blobs, dryRun: options.dryRun)
        var token: String?
        repeat {
            let page: Page<MLLoggedModel>
            do { page = try await source.loggedModels(experiment: e.id, page: token) } catch ImportError.http(let status, _, _) where status == 404 {
                return
            }
            for m in page.items { try await importLoggedModel(m, experiment: experiment, fetcher: fetcher) }
            token = page.next
        } while token != nil
    }

    func importLoggedModel(_ m: MLLoggedModel, experiment: LedgerID, fetcher: RunFetcher) async throws {
        let ids = ["model_id": m.id]
        let p = provenance("logged_model", ids, time: m.creationTimestamp, updated: m.lastUpdatedTimestamp)
        var id = map.entity(.loggedModelCreate, object: "logged_model", ids: ids)
        let isNew = id == nil
        var d = Drafts(p)
        let params = d.holdable(m.params.map, limit: 6000, what: "param of logged model \(m.id)")
        let tags = d.holdable(m.tags.map, limit: 8000, what: "tag of logged model \(m.id)")
        if id == nil {
            let run = m.sourceRunID.flatMap { map.entity(.runStart, object: "run", ids: ["run_id": $0]) }
            d.add(
                LoggedModelCreate(experiment: experiment, name: m.name.nfc, run: run, modelType: m.modelType, params: params, tags: tags),
                what: "logged model \(m.id)")
            guard let created = try create(d, entity: { $0.id }) else { return }
            id = created
            map.note(.loggedModelCreate, object: "logged_model", ids: ids, entity: created)
            summary.loggedModels += 1
        }
        guard let id else { return }
        let existing = isNew ? nil : try? ledger.loggedModel(id.hex)
        let have = Dictionary((existing?.files ?? []).map { ($0.path, $0.size) }, uniquingKeysWith: { a, _ in a })
        let files = try await fetcher.files(
            have: have, list: { try await self.source.loggedModelArtifacts(model: m, folder: $0) },
            download: { try await self.source.download(model: m, path: $0, to: $1) }
        ).filter { ArtifactFile.isSafePath($0.path) }
        let status = m.status.flatMap { try? Translation.loggedModelStatus($0) }
        var u = Drafts(p)
        let update = LoggedModelUpdate(
            model: id, status: existing?.status == status?.rawValue ? nil : status,
            statusMessage: existing?.statusMessage == m.statusMessage ? nil : m.statusMessage.nonEmpty,
            params: isNew ? [:] : params.filter { existing?.params[$0.key] != $0.value },
            tags: isNew ? [:] : tags.filter { existing?.tags[$0.key] != $0.value }, files: files)
        if update.status != nil || update.statusMessage != nil || !update.params.isEmpty || !update.tags.isEmpty || !update.files.isEmpty {
            u.add(update, what: "logged model \(m.id)")
            summary.artifacts += files.count
            summary.artifactBytes += files.reduce(0) { $0 + $1.size }
        }
        try append(u)
    }

    /// Which logged models each imported run produced and read, once both are in the ledger.
    func linkRunsToLoggedModels() throws {
        for link in runLinks where link.run != Self.dryRunID {
            let view = try ledger.run(link.run)
            let known = Set(view.outputs)
            let outputs = link.outputs.compactMap { o -> RunOutputs.Output? in
                guard let m = map.entity(.loggedModelCreate, object: "logged_model", ids: ["model_id": o.model]), !known.contains(m.hex) else {
                    return nil
                }
                return RunOutputs.Output(model: m, step: o.step)
            }
            let inputs = link.inputs.compactMap { map.entity(.loggedModelCreate, object: "logged_model", ids: ["model_id": $0]) }
            let runID = view.imported?.ids["run_id"] ?? ""
            var d = Drafts(provenance("run", ["run_id": runID], user: view.imported?.user))
            if !outputs.isEmpty { d.add(RunOutputs(run: link.run, models: outputs), what: "logged models of run \(runID)") }
            // Inputs are kept as a set: adding one already held changes nothing.
            if !inputs.isEmpty, !(try ledger.runModelInputs(link.run)).isSuperset(of: inputs) {
                d.add(RunInputs(run: link.run, datasets: [], models: inputs), what: "logged models run \(runID) read")
            }
            try append(d)
        }
    }
}
