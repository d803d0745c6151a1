import Foundation
import Hummingbird
import LedgerModel
import LedgerProtocol
import LedgerStore

/// runs/log-metric, runs/log-batch and metrics/get-history. A batch is one transaction of at most
/// three signed events (metrics, params, tags), not one event per point.
struct MetricRoutes {
    let service: MLflowService

    /// MLflow's own limits for one log_batch call.
    static let maxMetrics = 1000, maxParams = 100, maxTags = 100

    func register(on router: Router<BasicRequestContext>) {
        let s = service
        router.mlflow(.post, "/api/2.0/mlflow/runs/log-metric") { r in
            let id = try s.existingRun(r.string("run_id") ?? r.required("run_uuid"))
            let series = try Self.series([r])
            try s.append(RunMetrics(run: id, series: series))
            return [:]
        }
        router.mlflow(.post, "/api/2.0/mlflow/runs/log-batch") { r in
            let id = try s.existingRun(try r.required("run_id"))
            let metrics = try r.objects("metrics"), params = try r.pairs("params"), tags = try r.pairs("tags")
            guard metrics.count <= Self.maxMetrics, params.count <= Self.maxParams, tags.count <= Self.maxTags else {
                throw MLflowError.invalid("A batch logging request can contain at most \(Self.maxMetrics) metrics, \(Self.maxParams) params and \(Self.maxTags) tags; got \(metrics.count), \(params.count) and \(tags.count)")
            }
            var drafts = [Ledger.Draft]()
            if !metrics.isEmpty { drafts.append(try Ledger.Draft(RunMetrics(run: id, series: try Self.series(metrics)))) }
            if !tags.isEmpty {
                drafts.append(try Ledger.Draft(RunTags(run: id, tags: Dictionary(tags, uniquingKeysWith: { _, last in last }))))
            }
            try s.logParams(id, params, alsoAppend: drafts)
            return [:]
        }
        router.mlflow(.get, "/api/2.0/mlflow/metrics/get-history") { r in
            let id = try s.existingRun(r.string("run_id") ?? r.required("run_uuid"))
            let key = try r.required("metric_key")
            return ["metrics": try s.ledger.metricHistory(run: id, key: key).map { Translation.metric(key, $0) }]
        }
    }

    /// Metric points by key from MLflow metric objects (`key`, `value`, `timestamp`, `step`).
    static func series(_ metrics: [MLflowRequest]) throws(MLflowError) -> [String: [MetricPoint]] {
        var series = [String: [MetricPoint]]()
        for m in metrics {
            let key = try m.required("key")
            guard let value = try m.double("value") else { throw .invalid("Missing value for required parameter 'value' of metric '\(key)'") }
            series[key, default: []].append(MetricPoint(
                step: try m.int64("step") ?? 0, timestamp: try m.int64("timestamp") ?? Int64(wallClockMs()), value: value))
        }
        return series
    }
}
