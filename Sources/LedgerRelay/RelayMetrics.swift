import Prometheus

/// What the relay reports on /metrics, in Prometheus text format.
public struct RelayMetrics: Sendable {
    let registry = PrometheusCollectorRegistry()
    let accepted: Counter
    let duplicates: Counter
    let pushSeconds: DurationHistogram
    let pullSeconds: DurationHistogram
    let storeBytes: Gauge
    let storedEvents: Gauge
    let databaseRoundTrip: Gauge
    let blobBytesReceived: Counter
    let blobBytesServed: Counter

    init() {
        accepted = registry.makeCounter(name: "mledger_events_accepted_total", help: "Events verified and stored.")
        duplicates = registry.makeCounter(name: "mledger_events_duplicate_total", help: "Events pushed again (already stored).")
        let buckets: [Duration] = [
            .milliseconds(1), .milliseconds(5), .milliseconds(25), .milliseconds(100), .milliseconds(250),
            .milliseconds(500), .seconds(1), .seconds(2.5), .seconds(5),
        ]
        pushSeconds = registry.makeDurationHistogram(name: "mledger_push_duration_seconds", buckets: buckets, help: "Time to handle a push.")
        pullSeconds = registry.makeDurationHistogram(name: "mledger_pull_duration_seconds", buckets: buckets, help: "Time to serve a pull page.")
        storeBytes = registry.makeGauge(name: "mledger_store_bytes", help: "Size of the relay's database files.")
        storedEvents = registry.makeGauge(name: "mledger_events_stored", help: "Events in the relay's store.")
        databaseRoundTrip = registry.makeGauge(
            name: "mledger_database_roundtrip_seconds", help: "Time of one trivial query to the store, measured at this scrape.")
        blobBytesReceived = registry.makeCounter(
            name: "mledger_blob_bytes_received_total",
            help: "Blob bytes received by uploads, kept or not (a resumed upload counts only what it sent).")
        blobBytesServed = registry.makeCounter(
            name: "mledger_blob_bytes_served_total", help: "Blob bytes answered to downloads (the requested range's length).")
    }

    /// Rejections by reason code (bad_signature, seq_gap, forbidden, ...).
    func rejected(_ code: String) -> Counter {
        registry.makeCounter(name: "mledger_events_rejected_total", labels: [("reason", code)], help: "Events refused, by reason.")
    }

    /// Requests refused, by HTTP status (401, 403, 413, 429).
    func refused(status: Int) -> Counter {
        registry.makeCounter(name: "mledger_requests_refused_total", labels: [("status", String(status))], help: "Requests refused, by status.")
    }

    /// Webhook delivery attempts by outcome (`delivered`, `failed`).
    func webhookAttempts(_ result: String) -> Counter {
        registry.makeCounter(name: "mledger_webhook_attempts_total", labels: [("result", result)], help: "Webhook delivery attempts, by outcome.")
    }

    func render() -> [UInt8] {
        var out = [UInt8]()
        registry.emit(into: &out)
        return out
    }
}
