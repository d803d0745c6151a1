import Foundation
import Hummingbird
import LedgerModel
import LedgerProtocol
import LedgerStore

/// experiments/create, get, get-by-name and search (GET and POST).
struct ExperimentRoutes {
    let service: MLflowService

    func register(on router: Router<BasicRequestContext>) {
        let s = service
        router.mlflow(.post, "/api/2.0/mlflow/experiments/create") { r in
            let name = try r.required("name")
            return try s.serialized {
                if try s.ledger.experiments().contains(where: { $0.name == name }) {
                    throw MLflowError.exists("Experiment '\(name)' already exists.")
                }
                let team = try s.team()
                let id = EntityID.experiment(team: team, name: name)
                if let renamed = try s.ledger.experiments().first(where: { $0.id == id.hex }) {
                    throw MLflowError.exists(MLflowService.firstNameTaken(name, now: renamed.name, what: "experiment"))
                }
                var drafts = [try Ledger.Draft(ExperimentCreate(name: name))]
                for tag in try r.pairs("tags") {
                    drafts.append(try Ledger.Draft(ExperimentTag(experiment: id, key: tag.key, value: tag.value)))
                }
                try s.append(drafts)
                return ["experiment_id": Translation.experimentID(hex: id.hex, name: name)]
            }
        }
        router.mlflow(.get, "/api/2.0/mlflow/experiments/get") { r in
            let id = try r.required("experiment_id")
            if id == Translation.defaultExperimentID, (try? s.experiment(id)) == nil { return ["experiment": Translation.unusedDefaultExperiment] }
            return ["experiment": try s.experimentJSON(try s.experiment(id), deleted: try s.ledger.deletedIDs())]
        }
        router.mlflow(.get, "/api/2.0/mlflow/experiments/get-by-name") { r in
            let name = try r.required("experiment_name")
            guard let e = try s.ledger.experiments().first(where: { $0.name == name }) else {
                if name == Translation.defaultExperimentName { return ["experiment": Translation.unusedDefaultExperiment] }
                throw MLflowError.notFound("Could not find experiment with name '\(name)'")
            }
            return ["experiment": try s.experimentJSON(e, deleted: try s.ledger.deletedIDs())]
        }
        router.mlflow([.post, .get], "/api/2.0/mlflow/experiments/search") { r in
            let filter = try SearchFilter(parsing: r.string("filter"))
            // MLflow refuses a search without a positive max_results (the client always sends one).
            guard let limit = try r.int64("max_results").map(Int.init), limit > 0 else {
                throw MLflowError.invalid("Invalid value for parameter 'max_results' supplied. It must be a positive integer")
            }
            let deleted = try s.ledger.deletedIDs()
            let all = try s.ledger.experiments()
            func listed(_ name: String, deleted: Bool) -> Bool {
                Translation.viewTypeLists(r.string("view_type"), deleted: deleted)
                    && filter.matches { entity, key in entity == .attribute && key == "name" ? .text(name) : nil }
            }
            // Newest first, as MLflow orders them.
            let newestFirst = all.sorted { ($0.createdAt, $0.id) > ($1.createdAt, $1.id) }
            var found = try newestFirst.filter { listed($0.name, deleted: deleted.contains($0.id)) }.map {
                try s.experimentJSON($0, deleted: deleted)
            }
            // "Default" is there from the start, as in MLflow, even before the first run creates it here.
            if !all.contains(where: { $0.name == Translation.defaultExperimentName }), listed(Translation.defaultExperimentName, deleted: false) {
                found.append(Translation.unusedDefaultExperiment)
            }
            return ["experiments": Array(found.prefix(limit))]
        }
    }
}

extension MLflowService {
    /// Ids derive from the name an entity was created with, which stays its own after a rename.
    static func firstNameTaken(_ name: String, now: String, what: String) -> String {
        "'\(name)' is the name the \(what) now called '\(now)' was created with, and its id derives from it: choose another name"
    }

    /// An experiment as MLflow shows it: with its tags, and "deleted" when a tombstone hides it.
    func experimentJSON(_ e: ExperimentView, deleted: Set<String>) throws -> [String: Any] {
        guard let id = LedgerID(hex: e.id) else { return Translation.experiment(e) }
        return Translation.experiment(e, tags: try ledger.experimentTags(id), deleted: deleted.contains(e.id))
    }
}
