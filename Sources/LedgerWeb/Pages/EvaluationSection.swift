import LedgerModel

/// Evaluation results on the run and compare pages: confusion matrices as heat maps, images inline,
/// and metrics logged for several datasets as one table.
enum EvaluationSection {
    /// One previewed artifact as a figure captioned with its path (and `caption`, such as the run's name).
    static func figure(_ preview: ArtifactContent, run: String, caption: String? = nil) -> HTML {
        let name = caption.map { "\($0) · \(preview.artifact.path)" } ?? preview.artifact.path
        let inner: HTML
        switch preview.content {
        case .matrix(let m):
            let accuracy = m.accuracy.map { " · accuracy \(Format.number(($0 * 10000).rounded() / 10000))" } ?? ""
            inner =
                "\(HeatMap().render(m, title: name))<p class=\"muted\">\(Format.number(m.total)) examples\(accuracy); shade: share of the actual class</p>"
        case .image(let width, let height):
            let size: HTML = width.map { w in "width=\"\(w)\" height=\"\(height ?? w)\"" } ?? ""
            inner =
                "<a href=\"\(Links.artifact(run: run, sha256: preview.artifact.sha256))\"><img class=\"artifact\" src=\"\(Links.artifact(run: run, sha256: preview.artifact.sha256))\" alt=\"\(preview.artifact.path)\" \(size) loading=\"lazy\"></a>"
        case .unavailable(let why):
            inner = "<p class=\"muted\">\(why)</p>"
        }
        let wide: Bool
        if case .matrix(let m) = preview.content { wide = m.actual.count > HeatMap.countsShownUpTo } else { wide = false }
        return "<figure class=\"artifact\(wide ? " wide" : "")\"><figcaption>\(name)</figcaption>\(inner)</figure>"
    }

    /// The run page's section, or nothing when the run has no previews and no per-dataset metrics.
    static func render(_ run: RunView, previews: [ArtifactContent]) -> HTML {
        let datasets = DatasetMetrics(keys: run.metrics.keys)
        guard datasets != nil || !previews.isEmpty else { return .empty }
        return """
            <h2>Evaluation</h2>\
            \(datasets.map { "<h3>By dataset</h3>\($0.table(run))" as HTML } ?? .empty)\
            \(HTML.when(!previews.isEmpty, "<div class=\"figures\">\(HTML.each(previews) { figure($0, run: run.id) })</div>"))
            """
    }

    /// The compare page's section: per artifact path, the runs' previews side by side.
    static func compare(_ runs: [RunView], previews: [String: [ArtifactContent]], head: HTML) -> HTML {
        let datasets = DatasetMetrics(keys: runs.flatMap(\.metrics.keys))
        let paths = Set(previews.values.flatMap { $0.map(\.artifact.path) }).sorted()
        guard datasets != nil || !paths.isEmpty else { return .empty }
        let sideBySide = HTML.each(paths) { path in
            let cells = HTML.each(runs) { run -> HTML in
                guard let p = previews[run.id]?.first(where: { $0.artifact.path == path }) else { return .empty }
                return figure(p, run: run.id, caption: ComparePage.label(run))
            }
            return "<div class=\"side\">\(cells)</div>"
        }
        return """
            <h2>Evaluation</h2>\
            \(datasets.map { "<h3>By dataset</h3>\($0.table(runs, head: head))" as HTML } ?? .empty)\
            \(sideBySide)
            """
    }
}
