import Foundation
import LedgerModel

/// A model page's life after the registry: an environment timeline (which version served where, since
/// when, by whom, why, what it replaced) and production metrics per version beside the training value of
/// the run that produced it.
public enum DeploymentSection {
    public static func render(_ deployments: [DeploymentView], production: [ProductionSeriesView], alerts: [AlertView]) -> HTML {
        guard !deployments.isEmpty || !production.isEmpty else { return .empty }
        let environments = Dictionary(grouping: deployments, by: \.environment).sorted { $0.key < $1.key }
        return """
            <h2>Deployments</h2>\(HTML.each(environments) { env, stints in timeline(env, stints) })\
            \(HTML.when(!alerts.isEmpty, alertList(alerts)))\
            \(metrics(production))
            """
    }

    /// One environment: a band per stint on a time axis, then the stints as rows, newest first.
    static func timeline(_ environment: String, _ stints: [DeploymentView]) -> HTML {
        let now = stints.map { $0.until ?? $0.since }.max() ?? 0
        let start = stints.map(\.since).min() ?? 0
        let end = max(now, (stints.last?.since ?? 0) + 1)
        let span = Double(max(1, end - start))
        let width = 640.0
        var colors = [String: String]()
        for s in stints where colors[s.version] == nil { colors[s.version] = SVGChart.palette[colors.count % SVGChart.palette.count] }
        let bands = HTML.each(stints) { s in
            let x = Double(s.since - start) / span * width
            let w = max(2, Double((s.until ?? end) - s.since) / span * width)
            let label = "v\(s.versionNumber.map(String.init) ?? "?")"
            return """
                <g><title>\(label) \(Format.time(s.since))\(s.until.map { " – " + Format.time($0) } ?? ", serving"): \(s.reason)</title>\
                <rect x="\(String(format: "%.1f", x))" y="4" width="\(String(format: "%.1f", w))" height="22" fill="\(colors[s.version] ?? "#888")"\
                \(s.rollback ? " stroke=\"#d62728\" stroke-dasharray=\"3 2\"" : "")></rect>\
                <text x="\(String(format: "%.1f", x + 3))" y="20" fill="#fff" font-size="12">\(label)</text></g>
                """
        }
        let rows = HTML.each(stints.reversed()) { s in
            """
            <tr class="\(s.serving ? "serving" : "")"><td>v\(s.versionNumber.map(String.init) ?? "?")\(HTML.when(s.rollback, " <span class=\"flag\">ROLLBACK</span>"))\
            \(HTML.when(s.serving, " <span class=\"flag ok\">SERVING</span>"))</td><td>\(Format.time(s.since))</td><td>\(s.until.map(Format.time) ?? "")</td>\
            <td>\(Layout.author(s.deployedBy))</td><td>\(s.replacedNumber.map { "v\($0)" } ?? "")</td><td>\(s.target ?? "")</td>\
            <td>\(AuditTimeline.reason(s.reason))</td></tr>
            """
        }
        return """
            <h3>\(environment)</h3><svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 \(Int(width)) 30" class="env-timeline" role="img">\
            <title>\(environment) timeline</title>\(bands)</svg>\
            \(Layout.table("<tr><th>Version</th><th>Since</th><th>Until</th><th>Deployed by</th><th>Replaced</th><th>Target</th><th>Reason</th></tr>", rows))
            """
    }

    static func alertList(_ alerts: [AlertView]) -> HTML {
        let items = HTML.each(alerts) { a in
            """
            <li><span class="muted">\(Format.time(a.at))</span> <strong>\(a.environment)</strong> \
            v\(a.versionNumber.map(String.init) ?? "?"): \(a.summary) \(Layout.author(a.author))\
            \(HTML.each(a.runs) { " → retraining run <a href=\"\(Links.run($0))\">\(Format.short($0))</a>" as HTML })</li>
            """
        }
        return "<h3>Alerts</h3><ul class=\"alerts\">\(items)</ul>"
    }

    /// Per environment and metric: a chart with a line per version, and each version's figures beside the
    /// training value of its source run.
    static func metrics(_ production: [ProductionSeriesView]) -> HTML {
        guard !production.isEmpty else { return .empty }
        let groups = Dictionary(grouping: production) { "\($0.environment)\u{0}\($0.key)" }.sorted { $0.key < $1.key }
        let sections = HTML.each(groups) { _, series in
            let first = series[0]
            let chart = SVGChart(options: ChartOptions(x: .time)).render(
                series.map { .init(name: "v\($0.versionNumber.map(String.init) ?? "?")", points: $0.points) }, title: first.key)
            let rows = HTML.each(series) { s in
                """
                <tr><td>v\(s.versionNumber.map(String.init) ?? "?")</td><td class="num">\(s.count)</td><td class="num">\(Format.number(s.last))</td>\
                <td class="num">\(Format.number(s.mean))</td><td class="num">\(Format.number(s.min))</td><td class="num">\(Format.number(s.max))</td>\
                <td class="num">\(Format.number(s.training))</td></tr>
                """
            }
            return """
                <figure><figcaption>\(first.key) in \(first.environment)</figcaption>\(chart)</figure>\
                \(Layout.table("<tr><th>Version</th><th>Points</th><th>Last</th><th>Mean</th><th>Min</th><th>Max</th><th>Training</th></tr>", rows))
                """
        }
        return
            "<h2>Production metrics by version</h2><p class=\"muted\">Beside the training value of the same metric in each version's source run.</p>\(sections)"
    }
}
