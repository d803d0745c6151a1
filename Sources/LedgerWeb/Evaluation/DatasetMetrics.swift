import LedgerModel

/// Metrics logged for several datasets, read from their names: `val/acc` (any name before a slash), or a
/// known dataset name before or after `_`, `-` or `.` (`test_acc`, `acc_val`, `holdout.auc`). A table is
/// worth showing when at least two datasets share a metric.
public struct DatasetMetrics: Sendable, Equatable {
    public var datasets: [String]
    public var metrics: [String]
    /// The metric's key for a dataset, where it was logged.
    public var keys: [String: [String: String]]

    static let known = ["train", "training", "val", "valid", "validation", "dev", "eval", "evaluation", "test", "holdout"]

    /// The dataset and metric a key names, if it names one.
    static func split(_ key: String) -> (dataset: String, metric: String)? {
        if let slash = key.firstIndex(of: "/"), slash != key.startIndex, key.index(after: slash) != key.endIndex {
            return (String(key[..<slash]), String(key[key.index(after: slash)...]))
        }
        let lower = key.lowercased()
        for name in known {
            for sep in ["_", "-", "."] {
                if lower.hasPrefix(name + sep), key.count > name.count + 1 { return (name, String(key.dropFirst(name.count + 1))) }
                if lower.hasSuffix(sep + name), key.count > name.count + 1 { return (name, String(key.dropLast(name.count + 1))) }
            }
        }
        return nil
    }

    /// The table over the metric keys of some runs, or nil when fewer than two datasets share a metric.
    public init?(keys all: some Sequence<String>) {
        var byMetric = [String: [String: String]]()
        for key in Set(all) {
            guard let (dataset, metric) = Self.split(key) else { continue }
            byMetric[metric, default: [:]][dataset] = key
        }
        let shared = byMetric.filter { $0.value.count >= 2 }
        let datasets = Set(shared.values.flatMap(\.keys))
        guard datasets.count >= 2 else { return nil }
        self.datasets = datasets.sorted { a, b in
            let (x, y) = (
                Self.known.firstIndex(of: a.lowercased()) ?? Self.known.count, Self.known.firstIndex(of: b.lowercased()) ?? Self.known.count
            )
            return x != y ? x < y : a < b
        }
        metrics = shared.keys.sorted()
        keys = shared
    }

    /// One run: a row per dataset, a column per metric, last values.
    func table(_ run: RunView) -> HTML {
        let head: HTML = "<tr><th>Dataset</th>\(HTML.each(metrics) { "<th>\($0)</th>" })</tr>"
        let rows = HTML.each(datasets) { dataset in
            "<tr><td>\(dataset)</td>\(HTML.each(metrics) { "<td class=\"num\">\(value(run, dataset, $0))</td>" })</tr>"
        }
        return Layout.table(head, rows, class: "datasets")
    }

    /// Several runs: a row per metric and dataset, a column per run.
    func table(_ runs: [RunView], head: HTML) -> HTML {
        let rows = HTML.each(metrics) { metric in
            HTML.each(datasets.filter { keys[metric]?[$0] != nil }) { dataset in
                "<tr><td>\(metric) · \(dataset)</td>\(HTML.each(runs) { "<td class=\"num\">\(value($0, dataset, metric))</td>" })</tr>"
            }
        }
        return Layout.table(head, rows, class: "datasets")
    }

    private func value(_ run: RunView, _ dataset: String, _ metric: String) -> String {
        Format.number(keys[metric]?[dataset].flatMap { run.metrics[$0]?.last?.value })
    }
}
