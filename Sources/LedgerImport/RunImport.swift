import Foundation
import LedgerMLflow
import LedgerModel
import LedgerProtocol
import LedgerStore

extension Importer {
    /// Every run of an experiment, page by page: `concurrency` runs are fetched at once while the
    /// fetched ones are written in order of arrival, one run at a time.
    func importRuns(of e: MLExperiment, into experiment: LedgerID) async throws {
        let fetcher = RunFetcher(source: source, ledger: ledger, blobs: blobs, dryRun: options.dryRun)
        var token: String?
        repeat {
            let page = try await source.runs(experiment: e.id, since: options.since, page: token)
            var pending = page.items.map { ($0, map.entity(.runStart, object: "run", ids: ["run_id": $0.id])) }[...]
            try await withThrowingTaskGroup(of: FetchedRun.self) { group in
                func startNext() {
                    guard let (run, id) = pending.popFirst() else { return }
                    group.addTask { try await fetcher.fetch(run, ledgerID: id) }
                }
                for _ in 0..<max(1, options.concurrency) { startNext() }
                while let fetched = try await group.next() {
                    try await write(fetched, experiment: experiment, fetcher: fetcher)
                    startNext()
                    report("runs of \(e.name)")
                }
            }
            token = page.next
        } while token != nil
    }

    /// Writes what the ledger lacks of one run: its start (alone, to learn the run id), then params,
    /// tags, datasets, metric points and artifacts, and last its end and deletion.
    func write(_ f: FetchedRun, experiment: LedgerID, fetcher: RunFetcher) async throws {
        let run = f.run
        let ids = ["run_id": run.id]
        let user = run.user
        let p = provenance("run", ids, user: user)
        var runID = f.ledgerID
        if runID == nil {
            var d = Drafts(provenance("run", ids, user: user, time: run.startTime, data: run.artifactURI.map { ["artifact_uri": $0] } ?? [:]))
            d.add(RunStart(experiment: experiment, name: run.name, startTime: run.startTime), what: "run \(run.id)")
            runID = try create(d) { $0.id }
            if let runID { map.note(.runStart, object: "run", ids: ids, entity: runID) }
        }
        guard let runID else { return }
        let e = f.existing
        var d = Drafts(p)
        var changed = f.ledgerID == nil
        let params = d.holdable(run.params.map, limit: 6000, what: "param of run \(run.id)").filter { e?.params[$0.key] != $0.value }
        for chunk in Self.chunks(params) where d.add(RunParams(run: runID, params: chunk), what: "params of run \(run.id)") {
            summary.params += chunk.count
        }
        let tags = d.holdable(run.tags.map, limit: 8000, what: "tag of run \(run.id)").filter { e?.tags[$0.key] != $0.value }
        for chunk in Self.chunks(tags) where d.add(RunTags(run: runID, tags: chunk), what: "tags of run \(run.id)") {
            summary.tags += chunk.count
        }
        if f.ledgerID != nil {
            let gone = try ledger.importedTagKeys(.run, of: runID, source: source.name).subtracting(run.tags.map { $0.key.nfc })
            if !gone.isEmpty, d.add(RunTags(run: runID, tags: [:], removed: gone.sorted()), what: "removed tags of run \(run.id)") {
                summary.tagsRemoved += gone.count
            }
        }
        let held = Set((e?.datasets ?? []).map { "\($0.name)\n\($0.digest)" })
        let datasets = run.datasets.map(Self.dataset).filter { !held.contains("\($0.name)\n\($0.digest)") }
        if !datasets.isEmpty, d.add(RunInputs(run: runID, datasets: datasets), what: "datasets of run \(run.id)") {
            summary.datasets += datasets.count
        }
        let points = f.series.values.reduce(0) { $0 + $1.count }
        d.metrics(run: runID, f.series)
        summary.metricPoints += points
        let files = f.artifacts.filter { file in
            guard ArtifactFile.isSafePath(file.path) else {
                d.skip("artifact '\(file.path.prefix(80))' of run \(run.id): not a relative path inside the run")
                return false
            }
            return true
        }
        for chunk in stride(from: 0, to: files.count, by: 1000).map({ Array(files[$0..<min(files.count, $0 + 1000)]) })
        where d.add(RunArtifacts(run: runID, files: chunk), what: "artifacts of run \(run.id)") {
            summary.artifacts += chunk.count
            summary.artifactBytes += chunk.reduce(0) { $0 + $1.size }
        }
        changed = changed || !d.isEmpty
        try append(d)
        for c in f.continued {
            var held = c.held
            var token: String? = c.next
            while let next = token {
                let page = try await source.metricHistory(run: run.id, key: c.key, page: next)
                var more = Drafts(p)
                let fresh = held.new(in: page.items)
                more.metrics(run: runID, [c.key: fresh])
                summary.metricPoints += fresh.count
                changed = changed || !fresh.isEmpty
                try append(more)
                token = page.next
            }
        }
        var last = Drafts(p)
        if let status = try? Translation.runStatus(run.status), e?.status != status || e?.endTime != run.endTime {
            last.add(RunFinish(run: runID, status: status, endTime: run.endTime), what: "end of run \(run.id)")
        }
        if run.deleted, try !ledger.isDeleted(runID) {
            last.add(EntityDelete(target: runID, reason: "deleted in MLflow"), what: "deletion of run \(run.id)")
            summary.deleted += 1
        }
        changed = changed || !last.isEmpty
        try append(last)
        if f.ledgerID == nil {
            summary.runs += 1
        } else if changed {
            summary.runsUpdated += 1
        } else {
            summary.runsUnchanged += 1
        }
        if !run.modelOutputs.isEmpty || !run.modelInputs.isEmpty { runLinks.append((runID, run.modelOutputs, run.modelInputs)) }
    }

    /// A text map in pieces of at most ~256 KiB, so each event stays well under the envelope limit.
    static func chunks(_ map: [String: String]) -> [[String: String]] {
        var out = [[String: String]]()
        var current = [String: String]()
        var bytes = 0
        for (k, v) in map.sorted(by: { $0.key < $1.key }) {
            if bytes + k.utf8.count + v.utf8.count > 256 << 10, !current.isEmpty {
                out.append(current)
                current = [:]
                bytes = 0
            }
            current[k] = v
            bytes += k.utf8.count + v.utf8.count
        }
        if !current.isEmpty { out.append(current) }
        return out
    }

    static func dataset(_ d: MLDatasetInput) -> DatasetInput {
        DatasetInput(
            name: d.name, digest: d.digest, sourceType: d.sourceType, source: d.source, schema: d.schema, profile: d.profile, tags: d.tags.map)
    }
}
