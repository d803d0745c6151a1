import Foundation
import LedgerModel
import LedgerProtocol
import LedgerStore

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Reads a Prometheus endpoint and records the chosen samples as signed production points of the versions
/// they belong to. Each scrape is read, signed and dropped: nothing accumulates between scrapes.
struct Scraper {
    /// A text exposition larger than this is refused (a wrong URL, not a metrics page).
    static let maxBytes = 16 << 20

    struct Outcome: Encodable {
        var time: Int64
        var points: Int
        var versions: [String]
        var skippedLines: Int
        /// Milliseconds from the request to the points' durable commit (or to the failure).
        var tookMs: Double
        var error: String?
    }

    let session: Session
    let signer: SigningKey
    let model: (id: LedgerID, name: String)
    let environment: String
    let url: URL
    let metrics: [String]
    let http: URLSession

    init(
        session: Session, signer: SigningKey, model: (id: LedgerID, name: String), environment: String, url: URL, metrics: [String],
        timeout: TimeInterval
    ) {
        self.session = session
        self.signer = signer
        self.model = model
        self.environment = environment
        self.url = url
        self.metrics = metrics
        let config = URLSessionConfiguration.ephemeral
        config.timeoutIntervalForRequest = timeout
        config.timeoutIntervalForResource = timeout
        config.urlCache = nil
        http = URLSession(configuration: config)
    }

    /// One scrape: fetch, parse, sign. Failures are reported in the outcome, never thrown, so a loop goes on.
    func scrape() async -> Outcome {
        let now = Int64(wallClockMs())
        let started = ContinuousClock.now
        func took() -> Double {
            let d = ContinuousClock.now - started
            return Double(d.components.seconds) * 1000 + Double(d.components.attoseconds) / 1e15
        }
        do {
            let (data, response) = try await http.data(from: url)
            guard let status = (response as? HTTPURLResponse)?.statusCode, status == 200 else {
                throw StoreError.invalidInput("\(url) answered HTTP \((response as? HTTPURLResponse)?.statusCode ?? 0)")
            }
            guard data.count <= Self.maxBytes else { throw StoreError.invalidInput("\(url) sent more than \(Self.maxBytes >> 20) MiB") }
            let parsed = PrometheusText.parse(String(decoding: data, as: UTF8.self))
            let drafts = try drafts(ScrapeSelection.group(parsed.samples, metrics: metrics), at: now)
            if !drafts.isEmpty { try session.ledger.append(drafts.map(\.draft), signer: signer) }
            return Outcome(
                time: now, points: drafts.map(\.points).reduce(0, +), versions: drafts.map(\.version.hex), skippedLines: parsed.skipped,
                tookMs: took(), error: nil)
        } catch {
            return Outcome(time: now, points: 0, versions: [], skippedLines: 0, tookMs: took(), error: "\(error)")
        }
    }

    /// One `monitor.points` per version: labelled samples go to the version they name, the others to the one serving now.
    func drafts(_ groups: [String?: [String: PrometheusSample]], at now: Int64) throws -> [(draft: Ledger.Draft, version: LedgerID, points: Int)] {
        var out = [(draft: Ledger.Draft, version: LedgerID, points: Int)]()
        for (label, samples) in groups.sorted(by: { ($0.key ?? "") < ($1.key ?? "") }) where !samples.isEmpty {
            let version =
                try label.map { try Deployed.version(session.ledger, model: model.id, $0) }
                ?? Deployed.serving(session.ledger, model: model, environment: environment).entry.version
            let series = samples.mapValues { s in [MetricPoint(step: now, timestamp: s.timestamp ?? now, value: s.value)] }
            let body = MonitorPoints(model: model.id, environment: environment, version: version, series: series, source: url.absoluteString)
            out.append((try Ledger.Draft(body), version, series.count))
        }
        return out
    }
}
