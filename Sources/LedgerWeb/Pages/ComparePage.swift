import LedgerModel
import LedgerProtocol

/// Two to ten runs side by side: one overlaid chart per metric, params and metrics tables whose
/// differing rows are highlighted, and their evaluation results next to each other.
public enum ComparePage {
    public static let runLimit = 2...10

    public static func render(
        _ runs: [RunView], series: [String: [String: [MetricPoint]]], context: PageContext,
        options: ChartOptions = ChartOptions(), previews: [String: [ArtifactContent]] = [:]
    ) -> HTML {
        let head: HTML = "<tr><th></th>\(HTML.each(runs) { "<th><a href=\"\(Links.run($0.id))\">\(label($0))</a></th>" })</tr>"
        func rows(_ keys: [String], _ value: @escaping (RunView, String) -> String) -> HTML {
            HTML.each(keys) { key in
                let values = runs.map { value($0, key) }
                return "<tr class=\"\(Set(values).count > 1 ? "diff" : "same")\"><td>\(key)</td>\(HTML.each(values) { "<td>\($0)</td>" })</tr>"
            }
        }
        let paramKeys = Set(runs.flatMap(\.params.keys)).sorted()
        let metricKeys = Set(runs.flatMap(\.metrics.keys)).sorted()
        let overview = rows(["status", "author", "started", "git commit"]) { run, key in
            switch key {
            case "status": run.status.rawValue
            case "author": run.author.label
            case "started": Format.time(run.startTime)
            default: run.gitCommit.map { Format.short($0) + (run.gitDirty == true ? " (dirty)" : "") } ?? ""
            }
        }
        let charts = HTML.each(metricKeys.filter { key in runs.contains { (series[key]?[$0.id]?.count ?? 0) > 1 } }) { key in
            RunPage.figure(key, SVGChart(options: options).render(runs.map { .init(name: label($0), points: series[key]?[$0.id] ?? []) }, title: key))
        }
        let body: HTML = """
            <h1>Compare \(runs.count) runs</h1>\
            <p class="muted">Highlighted rows differ between the runs.</p>\
            \(Layout.table(head, overview))\
            <h2>Params</h2>\(Layout.table(head, rows(paramKeys) { $0.params[$1] ?? "" }, class: "params"))\
            <h2>Metrics (last value)</h2>\(Layout.table(head, rows(metricKeys) { Format.number($0.metrics[$1]?.last?.value) }, class: "metrics"))\
            <h2>Charts</h2>\(options.controls(path: "compare", keep: runs.map { ("run", $0.id) }))<div class="charts">\(charts)</div>\
            \(EvaluationSection.compare(runs, previews: previews, head: head))
            """
        return Layout.page(title: "Compare runs", section: .experiments, context: context, body)
    }

    /// A run's name with the start of its id (runs often share names), or its short id when unnamed.
    static func label(_ run: RunView) -> String {
        run.name.isEmpty ? Format.short(run.id) : "\(run.name) \(Format.short(run.id).prefix(4))"
    }
}
