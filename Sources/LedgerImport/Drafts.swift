import LedgerModel
import LedgerProtocol
import LedgerStore

/// The events of one import step, each checked as every receiver will check it, with the provenance of
/// the object it came from. A value the ledger cannot hold (an empty key, a text over its limit) is left
/// out and named in `skipped`, never cut short.
struct Drafts {
    let provenance: Provenance
    private(set) var items = [Ledger.Draft]()
    private(set) var skipped = [String]()

    init(_ provenance: Provenance) { self.provenance = provenance }

    var isEmpty: Bool { items.isEmpty }

    /// Adds `body` as an imported event; false (and a note in `skipped`) when it is not valid.
    @discardableResult
    mutating func add(_ body: some BodyFields, heads: [LedgerID] = [], provenance p: Provenance? = nil, what: @autoclosure () -> String) -> Bool {
        do {
            items.append(try Ledger.Draft(Imported(body, p ?? provenance), heads: heads))
            return true
        } catch {
            skipped.append("\(what()): \(error)")
            return false
        }
    }

    mutating func skip(_ note: String) { skipped.append(note) }

    /// The entries of a text map the ledger can hold: keys not empty and at most 250 bytes in NFC, values
    /// at most `limit` bytes. The others are named in `skipped`.
    mutating func holdable(_ map: [String: String], limit: Int, what: String) -> [String: String] {
        var out = [String: String]()
        for (key, value) in map {
            let k = key.nfc
            guard !k.isEmpty, k.utf8.count <= 250 else {
                skipped.append("\(what) '\(key.prefix(60))': a key must have 1 to 250 bytes")
                continue
            }
            guard value.utf8.count <= limit else {
                skipped.append("\(what) '\(key.prefix(60))': its value has \(value.utf8.count) bytes, more than the \(limit) the ledger holds")
                continue
            }
            out[k] = value
        }
        return out
    }

    /// Metric points as `run.metrics` events of at most `perEvent` points (an envelope stays under 1 MiB).
    mutating func metrics(run: LedgerID, _ series: [String: [MetricPoint]], perEvent: Int = 30_000) {
        var batches = [[String: [MetricPoint]]()]
        var size = 0
        for (key, points) in series.sorted(by: { $0.key < $1.key }) where !points.isEmpty {
            let k = key.nfc
            guard !k.isEmpty, k.utf8.count <= 250 else {
                skipped.append("metric '\(key.prefix(60))': a key must have 1 to 250 bytes")
                continue
            }
            var rest = points[...]
            while !rest.isEmpty {
                if size >= perEvent {
                    batches.append([:])
                    size = 0
                }
                let take = min(rest.count, perEvent - size)
                batches[batches.count - 1][k, default: []] += rest.prefix(take)
                rest = rest.dropFirst(take)
                size += take
            }
        }
        let what = "metrics of run \(provenance.ids["run_id"] ?? "")"
        for batch in batches where !batch.isEmpty {
            add(RunMetrics(run: run, series: batch), what: what)
        }
    }
}
