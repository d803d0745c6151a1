import LedgerModel
import LedgerProtocol
import LedgerStore
import LedgerWeb

/// Every dashboard page as a function of the ledger: reads the views, renders HTML. Free of HTTP, so
/// tests and benchmarks measure exactly what a request costs the server.
public struct DashboardPages: Sendable {
    public let ledger: Ledger
    let cache = RunTableCache()
    /// Where logged files are, for previews (the workspace's or the relay's blob store).
    let files: ArtifactReader

    /// On a relay: its own transparency log, shown first on the audit page.
    let ownLog: (@Sendable () throws -> RelayLogView?)?

    public init(ledger: Ledger, blobs: BlobStore? = nil, ownLog: (@Sendable () throws -> RelayLogView?)? = nil) {
        self.ledger = ledger
        files = ArtifactReader(blobs: blobs)
        self.ownLog = ownLog
    }

    public func experiments(_ context: PageContext) throws -> HTML {
        ExperimentsPage.render(try ledger.withoutDeleted(ledger.experiments()) { $0.id }, context: context)
    }

    /// One page of the table, filtered, sorted and cut by the database: its cost follows the page, not the
    /// experiment's size.
    public func runsTable(experiment text: String, _ form: FormData, _ context: PageContext) async throws -> HTML {
        let experiment = try await self.experiment(text)
        let id = try Self.id(text, "experiment")
        let ledger = ledger
        return try await offload {
            let request = RunsTableRequest(form)
            let (query, columns, problem) = try request.resolve { try ledger.commonColumns(experiment: id) }
            let (page, total) = try ledger.runTable(experiment: id, query)
            return RunsPage.render(
                experiment: experiment, request: request, columns: columns, page: page, total: total, problem: problem, context: context)
        }
    }

    /// The experiment's runs as parallel coordinates and a scatter, filtered as the table is.
    public func plots(experiment text: String, _ form: FormData, _ context: PageContext) async throws -> HTML {
        let (experiment, runs) = try await experimentRuns(text)
        return try await offload { PlotsPage.render(experiment: experiment, request: PlotsRequest(form), runs: runs, context: context) }
    }

    private func experimentRuns(_ text: String) async throws -> (ExperimentView, [RunView]) {
        let experiment = try await self.experiment(text)
        return (experiment, try await runs(of: try Self.id(text, "experiment")))
    }

    private func experiment(_ text: String) async throws -> ExperimentView {
        let id = try Self.id(text, "experiment")
        let ledger = ledger
        guard let experiment = try await offload({ try ledger.experiments() }).first(where: { $0.id == id.hex }) else {
            throw DashboardError.notFound("No experiment \(Format.short(text)) in this ledger.")
        }
        return experiment
    }

    /// The runs of an experiment, from the cache while the ledger is unchanged. Reads run off the
    /// server's event loops, like every other page's.
    func runs(of experiment: LedgerID) async throws -> [RunView] {
        let ledger = ledger
        let mark = try await offload { try ledger.changeMark() }
        if let cached = await cache.runs(experiment, mark: mark) { return cached }
        let runs = try await offload { try ledger.withoutDeleted(ledger.runSummaries(experiment: experiment)) { $0.id } }
        await cache.keep(runs, experiment, mark: mark)
        return runs
    }

    public func run(_ text: String, _ form: FormData, _ context: PageContext) throws -> HTML {
        let id = try ledger.runID(text)
        let run = try ledger.run(id)
        var series = [String: [MetricPoint]]()
        for key in run.metrics.keys { series[key] = try ledger.metricHistory(run: id, key: key) }
        return RunPage.render(
            run, series: series, comments: try ledger.comments(on: [id]), context: context, options: ChartOptions(form),
            previews: files.previews(run))
    }

    /// A run's logged image, whole: its type from the run's path for it, its bytes checked against its hash.
    public func artifact(run text: String, sha256: String) throws -> (contentType: String, bytes: [UInt8]) {
        let run = try ledger.run(try ledger.runID(text))
        guard let file = run.artifacts.first(where: { $0.sha256 == sha256.lowercased() }),
            let type = ArtifactPreview.kind(of: file.path)?.contentType
        else { throw DashboardError.notFound("This run has no image with that hash.") }
        do {
            let bytes = try files.whole(file, limit: ArtifactPreview.maxImageBytes)
            if type == "image/png", ArtifactPreview.pngSize(bytes) == nil { throw DashboardError.notFound("\(file.path) is not a PNG file.") }
            return (type, bytes)
        } catch let problem as ArtifactProblem {
            throw DashboardError.notFound(problem.description)
        }
    }

    public func compare(_ texts: [String], _ form: FormData, _ context: PageContext) throws -> HTML {
        // Counted before any lookup, so a long address costs nothing.
        var seen = Set<String>()
        let asked = texts.flatMap { $0.split(separator: ",").map { $0.lowercased() } }.filter { seen.insert($0).inserted }
        guard ComparePage.runLimit.contains(asked.count) else {
            throw DashboardError.badRequest("Pick between 2 and 10 runs to compare (got \(asked.count)).")
        }
        let unique = try asked.map { try ledger.runID($0) }
        let runs = try unique.map { try ledger.run($0) }
        var series = [String: [String: [MetricPoint]]]()
        for (id, run) in zip(unique, runs) {
            for key in run.metrics.keys { series[key, default: [:]][run.id] = try ledger.metricHistory(run: id, key: key) }
        }
        let previews = Dictionary(runs.map { ($0.id, files.previews($0)) }, uniquingKeysWith: { a, _ in a })
        return ComparePage.render(runs, series: series, context: context, options: ChartOptions(form), previews: previews)
    }

    public func models(_ context: PageContext) throws -> HTML {
        ModelsPage.render(try ledger.liveModels(), context: context)
    }

    public func model(_ text: String, notice: String? = nil, _ context: PageContext) throws -> HTML {
        let id = try Self.id(text, "model")
        let model = try ledger.model(id)
        // The newest versions' source runs, for the training-metrics charts.
        var runs = [String: RunView]()
        for v in model.versions.suffix(ModelPage.versionsCharted) {
            guard let hex = v.run, runs[hex] == nil, let runID = LedgerID(hex: hex) else { continue }
            runs[hex] = try? ledger.run(runID)
        }
        let deployment = DeploymentSection.render(
            try ledger.deployments(model: id), production: try ledger.productionSeries(model: id), alerts: try ledger.alerts(model: id))
        return ModelPage.render(
            model, audit: try ledger.audit(model: id), notice: notice, context: context, runs: runs, deployment: deployment,
            requests: try ledger.requests(model: id))
    }

    public func audit(_ context: PageContext) throws -> HTML {
        AuditPage.render(
            try ledger.audit(), models: try ledger.models(), forks: try ledger.forks(),
            relays: ((try ownLog?()).map { [$0] } ?? []) + (try ledger.relayLogs()),
            evidence: try ledger.logEvidence(), context: context)
    }

    static func id(_ text: String, _ what: String) throws -> LedgerID {
        guard let id = LedgerID(hex: text) else { throw DashboardError.notFound("'\(text)' is not a \(what) id.") }
        return id
    }
}
