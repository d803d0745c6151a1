import Foundation
import Hummingbird
import LedgerModel
import LedgerProtocol
import LedgerStore

/// runs/log-metric, runs/log-batch and metrics/get-history. A batch is one transaction of at most
/// three signed events (metrics, params, tags), not one event per point. The two logging routes read
/// their bodies field by field (`LoggingBody`): they are what training loops call thousands of times.
struct MetricRoutes {
    let service: MLflowService

    /// MLflow's own limits for one log_batch call.
    static let maxMetrics = 1000, maxParams = 100, maxTags = 100

    func register(on router: Router<BasicRequestContext>) {
        let s = service
        router.mlflowBody(.post, "/api/2.0/mlflow/runs/log-metric", offloaded: false) { body, _ in
            let m = try LoggingBody.metric(body)
            // MLflow requires a timestamp here, though a batch's points may leave it out.
            guard m.timestamp != nil else { throw MLflowError.missing("timestamp") }
            let id = try s.existingRun(try LoggingBody.runID(m.runID ?? m.runUUID))
            try s.append(RunMetrics(run: id, series: try LoggingBody.series([m])))
            return [:]
        }
        router.mlflowBody(.post, "/api/2.0/mlflow/runs/log-batch", offloaded: false) { body, _ in
            let batch = try LoggingBody.batch(body)
            let id = try s.existingRun(try LoggingBody.runID(batch.runID))
            let (metrics, params, tags) = (batch.metrics, batch.params, batch.tags)
            guard metrics.count <= Self.maxMetrics, params.count <= Self.maxParams, tags.count <= Self.maxTags else {
                throw MLflowError.invalid(
                    "A batch logging request can contain at most \(Self.maxMetrics) metrics, \(Self.maxParams) params and \(Self.maxTags) tags; got \(metrics.count), \(params.count) and \(tags.count)"
                )
            }
            var drafts = [Ledger.Draft]()
            if !metrics.isEmpty { drafts.append(try Ledger.Draft(RunMetrics(run: id, series: try LoggingBody.series(metrics)))) }
            if !tags.isEmpty {
                let pairs = try LoggingBody.pairs(tags, of: "tag")
                drafts.append(try Ledger.Draft(RunTags(run: id, tags: Dictionary(pairs, uniquingKeysWith: { _, last in last }))))
            }
            try s.logParams(id, try LoggingBody.pairs(params, of: "param"), alsoAppend: drafts)
            return [:]
        }
        // As in MLflow, the history of a run that does not exist is empty, not an error.
        router.mlflow(.get, "/api/2.0/mlflow/metrics/get-history") { r in
            let text = try r.runField()
            let key = try r.required("metric_key")
            guard let id = try? s.runID(text) else { return ["metrics": []] }
            return ["metrics": try s.ledger.metricHistory(run: id, key: key).map { Translation.metric(key, $0) }]
        }
    }

}
