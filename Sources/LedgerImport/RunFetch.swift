import Foundation
import LedgerMLflow
import LedgerModel
import LedgerProtocol
import LedgerStore

/// A point as a value that compares bit for bit (NaN equals NaN), to tell which points a run lacks.
struct PointKey: Hashable {
    var step: Int64
    var timestamp: Int64
    var bits: UInt64
    init(_ p: MetricPoint) {
        step = p.step
        timestamp = p.timestamp
        bits = p.value.bitPattern
    }
}

/// The points of a series the ledger already holds, as a multiset: each MLflow point matched against
/// one of them is not new.
struct HeldPoints: Sendable {
    private var counts = [PointKey: Int]()
    init(_ points: [MetricPoint]) { for p in points { counts[PointKey(p), default: 0] += 1 } }
    /// The points of `page` the ledger does not hold yet.
    mutating func new(in page: [MetricPoint]) -> [MetricPoint] {
        page.filter { p in
            let k = PointKey(p)
            guard let n = counts[k], n > 0 else { return true }
            counts[k] = n - 1
            return false
        }
    }
}

/// One run as fetched for writing: the points and artifact files the ledger lacks. A series longer than
/// a page is finished by the writer, a page at a time, so memory holds one page per series.
struct FetchedRun: Sendable {
    var run: MLRun
    var ledgerID: LedgerID?
    var existing: RunView?
    var series = [String: [MetricPoint]]()
    var continued = [(key: String, next: String, held: HeldPoints)]()
    var artifacts = [ArtifactFile]()
    var artifactBytes: UInt64 = 0
    /// Everything matched what the ledger holds: nothing was fetched but the artifact listing.
    var settled = false
}

/// Fetches runs on several tasks at once; everything it touches is Sendable, and it writes nothing but blobs.
struct RunFetcher: Sendable {
    let source: any MLflowSource
    let ledger: Ledger
    let blobs: BlobStore
    let dryRun: Bool

    func fetch(_ run: MLRun, ledgerID: LedgerID?) async throws -> FetchedRun {
        let existing = try ledgerID.map { try ledger.run($0) }
        var f = FetchedRun(run: run, ledgerID: ledgerID, existing: existing)
        f.settled = existing.map { Self.settled(run, $0) } ?? false
        if !f.settled {
            for key in Set(run.latestMetrics.map(\.key)).sorted() {
                let have = existing?.metrics[key.nfc] == nil ? [] : try ledger.metricHistory(run: ledgerID ?? .zero, key: key.nfc)
                var held = HeldPoints(have)
                let page = try await source.metricHistory(run: run.id, key: key, page: nil)
                f.series[key] = held.new(in: page.items)
                if let next = page.next { f.continued.append((key, next, held)) }
            }
        }
        try await fetchArtifacts(into: &f)
        return f
    }

    /// A run imported before whose status, end, params, tags, datasets and latest metric points all match
    /// MLflow's: its histories are not fetched again. (An import writes a run's end last, so a run whose
    /// import was cut short never matches.)
    static func settled(_ run: MLRun, _ e: RunView) -> Bool {
        guard let status = try? Translation.runStatus(run.status), e.status == status, e.endTime == run.endTime else { return false }
        for (k, v) in run.params.map where e.params[k.nfc] != v { return false }
        for (k, v) in run.tags.map where e.tags[k.nfc] != v { return false }
        guard Set(run.latestMetrics.map { $0.key.nfc }) == Set(e.metrics.keys) else { return false }
        for m in run.latestMetrics {
            guard let last = e.metrics[m.key.nfc]?.last, PointKey(last) == PointKey(m.point) else { return false }
        }
        let datasets = Set(e.datasets.map { "\($0.name)\n\($0.digest)" })
        return run.datasets.allSatisfy { datasets.contains("\($0.name.nfc)\n\($0.digest)") }
    }

    func fetchArtifacts(into f: inout FetchedRun) async throws {
        let run = f.run
        let have = Dictionary((f.existing?.artifacts ?? []).map { ($0.path, $0.size) }, uniquingKeysWith: { a, _ in a })
        f.artifacts = try await files(
            have: have, list: { try await source.artifacts(run: run, folder: $0) },
            download: { try await source.download(run: run, path: $0, to: $1) })
        f.artifactBytes = f.artifacts.reduce(0) { $0 + $1.size }
    }

    /// Lists artifacts folder by folder; files the ledger lacks (by path and size) are stored in the blob
    /// store (not in a dry run, which only counts them).
    func files(
        have: [String: UInt64], folder: String = "", list: (String) async throws -> [MLArtifact], download: (String, URL) async throws -> Void
    ) async throws -> [ArtifactFile] {
        var out = [ArtifactFile]()
        for item in try await list(folder) {
            if item.isDir {
                out += try await files(have: have, folder: item.path, list: list, download: download)
                continue
            }
            if let size = item.size, have[item.path] == UInt64(max(0, size)) { continue }
            if dryRun {
                out.append(ArtifactFile(path: item.path, sha256: [UInt8](repeating: 0, count: 32), size: UInt64(max(0, item.size ?? 0))))
                continue
            }
            let stored = try await store { try await download(item.path, $0) }
            out.append(ArtifactFile(path: item.path, sha256: stored.sha256, size: stored.size))
        }
        return out
    }

    /// Downloads to a temporary file beside the blob store, then stores it by its hash.
    func store(_ download: (URL) async throws -> Void) async throws -> (sha256: [UInt8], size: UInt64) {
        try FileManager.default.createDirectory(at: blobs.directory, withIntermediateDirectories: true)
        let temp = blobs.directory.appendingPathComponent(".import-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: temp) }
        try await download(temp)
        return try blobs.put(file: temp)
    }
}
