import Foundation
import LedgerModel

/// Any param or metric of many runs against any metric: one dot per run, coloured by a metric, each
/// dot a link to its run. Text values (an optimizer's name) spread as categories, each dot nudged
/// sideways by its run id so equal values do not hide each other.
public struct ScatterPlot: Sendable {
    public var width = 640.0
    public var height = 420.0

    public init() {}

    public func render(
        _ runs: [RunView], x: RunTable.Column, y: RunTable.Column, color: RunTable.Column?, logX: Bool = false, logY: Bool = false
    )
        -> HTML
    {
        let runs = Array(runs.prefix(ParallelCoordinates.maxRuns))
        let xs = RunDimension(x, runs: runs, log: logX)
        let ys = RunDimension(y, runs: runs, log: logY)
        let colour = color.map { RunDimension($0, runs: runs, log: false) }
        let shown = runs.indices.filter { xs.positions[$0] != nil && ys.positions[$0] != nil }
        var svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 \(Int(width)) \(Int(height))\" role=\"img\" class=\"chart scatter\">"
        svg += "<title>\(HTML.escape(y.label)) against \(HTML.escape(x.label))</title>"
        guard !shown.isEmpty else { return HTML(markup: svg + "<text x=\"20\" y=\"40\">no run has both values</text></svg>") }
        let plot = Plot(left: 62, top: 16, width: width - 62 - 20, height: height - 16 - 50, inset: 8)
        svg += plot.frame(
            x: xs.axis, y: ys.axis, xTitle: x.label + (xs.axis.kind == .log ? " (log)" : ""),
            yTitle: y.label + (ys.axis.kind == .log ? " (log)" : ""))
        svg += "<g class=\"points\" stroke=\"#fff\" stroke-width=\"0.6\">"
        for r in shown {
            let run = runs[r]
            guard let px = xs.positions[r], let py = ys.positions[r] else { continue }
            let cx = plot.x(xs.axis, px + (xs.axis.kind == .categories ? Self.nudge(run.id) : 0))
            let cy = plot.y(ys.axis, py + (ys.axis.kind == .categories ? Self.nudge(run.id) : 0))
            let fill = colour.flatMap { c in c.positions[r].map { ColorScale.viridis(c.axis.fraction($0)) } } ?? "#1f5fbf"
            var title = "\(ComparePage.label(run))\n\(x.label): \(xs.texts[r] ?? "")\n\(y.label): \(ys.texts[r] ?? "")"
            if let c = colour, c.column != x, c.column != y { title += "\n\(c.column.label): \(c.texts[r] ?? "n/a")" }
            svg +=
                "<a href=\"\(Links.run(run.id))\"><circle cx=\"\(plot.f(cx))\" cy=\"\(plot.f(cy))\" r=\"4.5\" fill=\"\(fill)\"><title>\(HTML.escape(title))</title></circle></a>"
        }
        svg += "</g>"
        if shown.count < runs.count {
            svg +=
                "<text x=\"\(plot.f(width - 20))\" y=\"\(plot.f(height - 4))\" font-size=\"10\" fill=\"#5c6670\" text-anchor=\"end\">\(runs.count - shown.count) runs lack one of the values</text>"
        }
        return HTML(markup: svg + "</svg>")
    }

    /// A fixed offset in -0.3...0.3 from the run's id.
    static func nudge(_ id: String) -> Double {
        let n = Int(id.prefix(4), radix: 16) ?? 0
        return (Double(n) / 65535 - 0.5) * 0.6
    }
}
