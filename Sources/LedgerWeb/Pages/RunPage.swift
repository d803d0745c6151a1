import LedgerModel
import LedgerProtocol

/// One run: what produced it (git, command, host, environment), params, tags, artifacts with hashes,
/// one chart per metric (downsampled on the server, drawn as `options` say), evaluation results
/// (confusion matrices, images, metrics per dataset), and comments.
public enum RunPage {
    public static func render(
        _ run: RunView, series: [String: [MetricPoint]], comments: [CommentView], context: PageContext,
        options: ChartOptions = ChartOptions(), previews: [ArtifactContent] = []
    ) -> HTML {
        let git: HTML? = run.gitCommit.map { "<code>\($0)</code>\(HTML.when(run.gitDirty == true, " <span class=\"flag conflict\">DIRTY</span>"))" }
        let facts = Layout.facts([
            ("Experiment", "<a href=\"\(Links.experiment(run.experimentID))\">\(run.experiment ?? Format.short(run.experimentID))</a>"),
            (
                "Status",
                "<span class=\"status-\(run.status.rawValue)\">\(run.status.rawValue)</span>\(HTML.when(run.exitCode != nil, " (exit \(run.exitCode ?? 0))"))"
            ),
            ("Author", Layout.author(run.author)),
            ("Imported", run.imported.map { HTML.text($0.summary(time: Format.time)) }),
            ("Started", HTML.text(Format.time(run.startTime))),
            ("Ended", run.endTime.map { HTML.text("\(Format.time($0)) (\(Format.duration(from: run.startTime, to: $0)))") }),
            ("Git commit", git),
            ("Command", run.command.map { "<code>\($0)</code>" }),
            ("Host", run.host.map(HTML.text)),
            ("Environment", run.environment.map { "<code>\($0)</code>" }),
            ("Run id", "<code>\(run.id)</code>"),
        ])
        let metricKeys = run.metrics.keys.sorted()
        let summary = Layout.table(
            "<tr><th>Metric</th><th>Last</th><th>Min</th><th>Max</th><th>Points</th></tr>",
            HTML.each(metricKeys) { key in
                let m = run.metrics[key] ?? MetricSummary()
                return
                    "<tr><td>\(key)</td><td class=\"num\">\(Format.number(m.last?.value))</td><td class=\"num\">\(Format.number(m.min))</td><td class=\"num\">\(Format.number(m.max))</td><td class=\"num\">\(m.count)</td></tr>"
            })
        // A single value is a number, not a curve: it stays in the table above (and the datasets table).
        let charts = HTML.each(metricKeys.filter { (series[$0]?.count ?? 0) > 1 }) { key in
            figure(key, SVGChart(options: options).render([.init(name: key, points: series[key] ?? [])], title: key))
        }
        let chartBlock: HTML = "\(summary)\(options.controls(path: Links.run(run.id), keep: []))<div class=\"charts\">\(charts)</div>"
        let body: HTML = """
            <h1>\(run.name.isEmpty ? "Run \(Format.short(run.id))" : run.name)</h1>\(facts)\
            <h2>Metrics</h2>\(metricKeys.isEmpty ? "<p class=\"muted\">No metrics logged.</p>" : chartBlock)\
            \(EvaluationSection.render(run, previews: previews))\
            <h2>Params</h2>\(pairs(run.params, empty: "No params logged."))\
            <h2>Tags</h2>\(pairs(run.tags, empty: "No tags."))\
            <h2>Artifacts</h2>\(artifacts(run.artifacts))\
            \(Comments.render(comments, target: run.id, returnTo: Links.run(run.id), context: context))
            """
        return Layout.page(title: run.name.isEmpty ? Format.short(run.id) : run.name, section: .experiments, context: context, body)
    }

    static func figure(_ caption: String, _ chart: HTML) -> HTML {
        "<figure><figcaption>\(caption)</figcaption>\(chart)</figure>"
    }

    static func pairs(_ values: [String: String], empty: String) -> HTML {
        values.isEmpty
            ? "<p class=\"muted\">\(empty)</p>"
            : Layout.table(
                "<tr><th>Key</th><th>Value</th></tr>",
                HTML.each(values.sorted { $0.key < $1.key }) {
                    "<tr><td>\($0.key)</td><td>\($0.value)</td></tr>"
                })
    }

    static func artifacts(_ files: [ArtifactView]) -> HTML {
        files.isEmpty
            ? "<p class=\"muted\">No artifacts.</p>"
            : Layout.table(
                "<tr><th>Path</th><th>Size</th><th>SHA-256</th></tr>",
                HTML.each(files) {
                    "<tr><td>\($0.path)</td><td class=\"num\">\(Format.bytes($0.size))</td><td><code>\($0.sha256)</code></td></tr>"
                })
    }
}
