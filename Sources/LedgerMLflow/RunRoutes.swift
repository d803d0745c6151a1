import Foundation
import Hummingbird
import LedgerModel
import LedgerProtocol
import LedgerStore

/// runs/create, update, get, search, log-parameter and set-tag.
struct RunRoutes {
    let service: MLflowService

    func register(on router: Router<BasicRequestContext>) {
        let s = service
        router.mlflow(.post, "/api/2.0/mlflow/runs/create") { r in
            let tags = Dictionary(try r.pairs("tags"), uniquingKeysWith: { _, last in last })
            let start = try r.int64("start_time") ?? Int64(wallClockMs())
            // Without a name MLflow makes one up (`adjective-noun-number`); so does the endpoint.
            let name = r.string("run_name").flatMap { $0.isEmpty ? nil : $0 } ?? tags["mlflow.runName"] ?? RunNames.random()
            let run = try s.serialized { () throws -> LedgerID in
                // As in MLflow, a run names its experiment (the client sends "0" for Default).
                guard let experimentID = r.string("experiment_id"), !experimentID.isEmpty else {
                    throw MLflowError(.badRequest, "runs/create needs an experiment_id: pass \"0\" for the experiment Default")
                }
                let experiment = try s.experimentForWrite(experimentID)
                let started = try s.append(
                    RunStart(
                        experiment: experiment, name: name, gitCommit: tags["mlflow.source.git.commit"],
                        command: tags["mlflow.source.name"], host: ProcessInfo.processInfo.hostName, startTime: start))
                // MLflow's user_id is the request's field (the client fills it from `mlflow.user`, else "unknown").
                try s.append(RunTags(run: started.id, tags: tags.merging([Translation.userIDTag: r.string("user_id") ?? ""]) { _, new in new }))
                return started.id
            }
            return ["run": Translation.run(try s.ledger.run(run))]
        }
        router.mlflow(.post, "/api/2.0/mlflow/runs/update") { r in
            let text = r.string("run_id") ?? r.string("run_uuid") ?? ""
            let id = try s.existingRun(text)
            var drafts = [Ledger.Draft]()
            if let name = r.string("run_name"), !name.isEmpty {
                drafts.append(try Ledger.Draft(RunTags(run: id, tags: ["mlflow.runName": name])))
            }
            if let status = try r.string("status").flatMap({ try Translation.runStatus($0) }) {
                drafts.append(try Ledger.Draft(RunFinish(run: id, status: status, endTime: try r.int64("end_time") ?? Int64(wallClockMs()))))
            }
            if !drafts.isEmpty { try s.append(drafts) }
            return ["run_info": Translation.runInfo(try s.run(text))]
        }
        router.mlflow(.get, "/api/2.0/mlflow/runs/get") { r in
            let run = try s.run(try r.runField())
            return ["run": Translation.run(run, deleted: try s.ledger.isDeleted(try s.runID(run.id)))]
        }
        router.mlflow(.post, "/api/2.0/mlflow/runs/log-parameter") { r in
            let id = try s.existingRun(try r.runField())
            try s.logParams(id, [(try r.required("key"), try r.textValue())])
            return [:]
        }
        router.mlflow(.post, "/api/2.0/mlflow/runs/set-tag") { r in
            let id = try s.existingRun(try r.runField())
            try s.append(RunTags(run: id, tags: [try r.required("key"): try r.textValue()]))
            return [:]
        }
        router.mlflow(.post, "/api/2.0/mlflow/runs/search") { r in
            let filter = try SearchFilter(parsing: r.string("filter"))
            if let ids = r.fields["experiment_ids"], !(ids is [Any] || ids is NSNull) {
                throw MLflowError.invalid("'experiment_ids' must be a list of experiment ids")
            }
            let orders = try r.strings("order_by").map { text throws(MLflowError) in try SearchOrder(parsing: text) }
            let limit = max(1, try r.int64("max_results").map(Int.init) ?? 1000)
            let offset = try Translation.pageOffset(r.string("page_token"))
            let deleted = try s.ledger.deletedIDs()
            let (page, matching) = try s.searchRuns(
                experiments: r.strings("experiment_ids"), filter: filter, orders: orders, viewType: r.string("run_view_type"), offset: offset,
                limit: limit)
            var out: [String: Any] = ["runs": page.map { Translation.run($0, deleted: deleted.contains($0.id)) }]
            if offset + page.count < matching { out["next_page_token"] = Translation.pageToken(offset: offset + page.count) }
            return out
        }
    }
}

extension MLflowService {
    /// One page of `search_runs` (MLflow experiment ids), and how many runs match. Filtered, sorted and
    /// paged in SQL, so the cost follows the page; a field only a whole run gives (user_id,
    /// artifact_uri) sends the search through every run in memory instead.
    public func searchRuns(
        experiments ids: [String], filter: SearchFilter, orders: [SearchOrder], viewType: String?, offset: Int, limit: Int
    ) throws -> (page: [RunView], matching: Int) {
        var experiments = [LedgerID]()
        for experiment in ids {
            // "Default" has no runs until the first one creates it.
            if experiment == Translation.defaultExperimentID, (try? self.experiment(experiment)) == nil { continue }
            guard let id = LedgerID(hex: try self.experiment(experiment).id) else { continue }
            experiments.append(id)
        }
        if let search = RunSearch.mlflow(experiments: experiments, filter: filter, orders: orders, viewType: viewType) {
            let found = try ledger.searchRuns(search, offset: offset, limit: limit)
            return (try found.ids.map { try ledger.run($0) }, found.matching)
        }
        let deleted = try ledger.deletedIDs()
        let runs = Translation.sorted(
            try experiments.flatMap { try ledger.runs(experiment: $0) }.filter { run in
                Translation.viewTypeLists(viewType, deleted: deleted.contains(run.id)) && filter.matches { Translation.field(run, $0, $1) }
            }, by: orders)
        return (Array(runs.dropFirst(offset).prefix(limit)), runs.count)
    }

    /// Logs params, refusing (as MLflow does) to change a value a param already has.
    func logParams(_ run: LedgerID, _ params: [(key: String, value: String)], alsoAppend extra: [Ledger.Draft] = []) throws {
        try serialized {
            var drafts = extra
            if !params.isEmpty {
                let existing = try ledger.run(run).params
                var new = [String: String]()
                for (key, value) in params {
                    if let old = existing[key] ?? new[key], old != value {
                        throw MLflowError.invalid(
                            "Changing param values is not allowed. Param with key='\(key)' was already logged with value='\(old)' for run ID='\(run.hex)'. Attempted logging new value '\(value)'."
                        )
                    }
                    new[key] = value
                }
                let fresh = new.filter { existing[$0.key] == nil }
                if !fresh.isEmpty { drafts.append(try Ledger.Draft(RunParams(run: run, params: fresh))) }
            }
            if !drafts.isEmpty { try append(drafts) }
        }
    }
}
