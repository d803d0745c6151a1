import Foundation
import LedgerModel

/// Many runs at once: one vertical axis per chosen param or metric, one line per run across them,
/// coloured by a metric, each line a link to its run. Runs lacking a value cross that axis at "n/a"
/// below it, so no run silently disappears.
public struct ParallelCoordinates: Sendable {
    public var width = 960.0
    public var height = 440.0
    /// The most runs one plot draws; the page says when a filter leaves more.
    public static let maxRuns = 1000

    public init() {}

    public func render(_ runs: [RunView], axes columns: [RunTable.Column], color: RunTable.Column?) -> HTML {
        let runs = Array(runs.prefix(Self.maxRuns))
        var svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 \(Int(width)) \(Int(height))\" role=\"img\" class=\"chart parallel\">"
        svg += "<title>Parallel coordinates of \(runs.count) runs</title>"
        guard !columns.isEmpty, !runs.isEmpty else {
            return HTML(markup: svg + "<text x=\"20\" y=\"40\">\(runs.isEmpty ? "no runs match" : "choose at least one field")</text></svg>")
        }
        let dimensions = columns.map { RunDimension($0, runs: runs) }
        let colour = color.map { RunDimension($0, runs: runs, log: false) }
        let hasMissing = dimensions.contains(where: \.missing)
        let plot = Plot(left: 70, top: 44, width: width - 70 - (colour == nil ? 40 : 110), height: height - 44 - (hasMissing ? 48 : 24))
        let gap = dimensions.count > 1 ? plot.width / Double(dimensions.count - 1) : 0
        func axisX(_ i: Int) -> Double { dimensions.count > 1 ? plot.left + Double(i) * gap : plot.left + plot.width / 2 }
        let missingY = plot.bottom + 26
        func y(_ d: RunDimension, _ run: Int) -> Double { d.positions[run].map { plot.y(d.axis, $0) } ?? missingY }

        // Lines first, the best-coloured last so they stay on top; runs without the colour metric in grey.
        let order = runs.indices.sorted { a, b in
            (colour?.positions[a] ?? -.infinity, a) < (colour?.positions[b] ?? -.infinity, b)
        }
        svg += "<g class=\"runs\" fill=\"none\">"
        for r in order {
            let run = runs[r]
            let stroke = colour.flatMap { c in c.positions[r].map { ColorScale.viridis(c.axis.fraction($0)) } } ?? "#9aa3ab"
            let points = dimensions.indices.map { "\(plot.f(axisX($0))),\(plot.f(y(dimensions[$0], r)))" }.joined(separator: " ")
            var title = ComparePage.label(run)
            for d in dimensions { title += "\n\(d.column.label): \(d.texts[r] ?? "n/a")" }
            if let c = colour, !columns.contains(c.column) { title += "\n\(c.column.label): \(c.texts[r] ?? "n/a")" }
            svg +=
                "<a href=\"\(Links.run(run.id))\"><polyline points=\"\(points)\" stroke=\"\(stroke)\"><title>\(HTML.escape(title))</title></polyline></a>"
        }
        svg += "</g>"
        for (i, d) in dimensions.enumerated() { svg += axis(d, x: axisX(i), plot: plot, missingY: hasMissing ? missingY : nil) }
        if let c = colour, c.axis.kind != .categories {
            svg += ColorScale.legend(x: width - 80, y: plot.top, height: plot.height, axis: c.axis, title: c.column.label)
        }
        return HTML(markup: svg + "</svg>")
    }

    /// One vertical axis: its title above, tick labels on a white halo so lines do not hide them.
    private func axis(_ d: RunDimension, x: Double, plot: Plot, missingY: Double?) -> String {
        let title = Plot.short(d.column.label, limit: 26) + (d.axis.kind == .log ? " (log)" : "")
        var s = "<g class=\"axis\" data-field=\"\(HTML.escape(d.column.spec))\">"
        s += "<line x1=\"\(plot.f(x))\" y1=\"\(plot.f(plot.top))\" x2=\"\(plot.f(x))\" y2=\"\(plot.f(plot.bottom))\" stroke=\"#555\"/>"
        s +=
            "<text x=\"\(plot.f(x))\" y=\"\(plot.f(plot.top - 14))\" font-size=\"11\" font-weight=\"600\" text-anchor=\"middle\" fill=\"#1d232a\">\(HTML.escape(title))<title>\(HTML.escape(d.column.label))</title></text>"
        s +=
            "<g class=\"ticks\" data-kind=\"\(d.axis.kind.rawValue)\" font-size=\"10\" fill=\"#333\" text-anchor=\"end\" stroke=\"#fff\" stroke-width=\"3\" paint-order=\"stroke\">"
        // Categories could crowd: at most one label per 14 pixels.
        let every = max(1, Int((Double(d.axis.ticks.count) * 14 / plot.height).rounded(.up)))
        for (i, t) in d.axis.ticks.enumerated() where i % every == 0 {
            s +=
                "<text x=\"\(plot.f(x - 4))\" y=\"\(plot.f(plot.y(d.axis, t) + 3))\" data-v=\"\(Format.number(t))\">\(HTML.escape(Plot.short(d.axis.label(t))))</text>"
        }
        if let missingY, d.missing { s += "<text x=\"\(plot.f(x - 4))\" y=\"\(plot.f(missingY + 3))\" font-style=\"italic\">n/a</text>" }
        return s + "</g></g>"
    }
}
