import Foundation
import LedgerModel
import LedgerProtocol

/// Line charts of metric series as inline SVG: axes with ticks at round values, a legend, and a hover
/// title on every drawn point. Series are downsampled on the server (LTTB), so a million-point series
/// stays light. `options` puts wall time on the x axis, makes the y axis logarithmic, or smooths.
public struct SVGChart: Sendable {
    public struct Series: Sendable {
        public var name: String
        public var points: [MetricPoint]
        public init(name: String, points: [MetricPoint]) {
            self.name = name
            self.points = points
        }
    }

    public var width = 640.0
    public var height = 320.0
    /// Points drawn per series at most.
    public var maxPoints = 1000
    /// Hover strips across the plot, each showing the values nearest to it.
    public var hoverBandCount = 80
    public var options: ChartOptions
    static let palette = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#17becf", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22"]

    public init(options: ChartOptions = ChartOptions()) { self.options = options }

    /// A series as drawn: x in `step` (the step, or the wall time when the x axis is time, with the step
    /// kept in `timestamp`), downsampled, and its smoothed line when smoothing is on.
    struct Drawn {
        var name: String
        var points: [MetricPoint]
        var smoothed: [MetricPoint]
        /// Points a log axis cannot show (zero or negative).
        var hidden: Int
    }

    func prepare(_ s: Series) -> Drawn {
        var points = s.points.filter { $0.value.isFinite }
        let drawable = options.logY ? points.filter { $0.value > 0 } : points
        let hidden = points.count - drawable.count
        points = drawable
        if options.x == .time {
            points = points.map { MetricPoint(step: $0.timestamp, timestamp: $0.step, value: $0.value) }
            if !zip(points, points.dropFirst()).allSatisfy({ $0.step <= $1.step }) { points.sort { $0.step < $1.step } }
        }
        let smoothed = options.smoothing > 0 ? Downsampling.lttb(Smoothing.ema(points, weight: options.smoothing), threshold: maxPoints) : []
        return Drawn(name: s.name, points: Downsampling.lttb(points, threshold: maxPoints), smoothed: smoothed, hidden: hidden)
    }

    public func render(_ series: [Series], title: String) -> HTML {
        let drawn = series.map(prepare)
        let all = drawn.flatMap(\.points)
        let legend = Self.legendLayout(drawn.map(\.name), left: 64, width: width - 80)
        let margin = (left: 58.0, right: options.x == .time ? 34.0 : 16.0, top: 14.0 + 14.0 * Double(legend.rows), bottom: 46.0)
        let plot = Plot(left: margin.left, top: margin.top, width: width - margin.left - margin.right, height: height - margin.top - margin.bottom)
        var svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 \(Int(width)) \(Int(height))\" role=\"img\" class=\"chart\">"
        svg += "<title>\(HTML.escape(title))</title>"
        guard let minX = all.map(\.step).min(), let maxX = all.map(\.step).max(),
            let minY = all.map(\.value).min(), let maxY = all.map(\.value).max()
        else {
            let why = drawn.contains { $0.hidden > 0 } ? "no points above zero for a log axis" : "no points"
            return HTML(markup: svg + "<text x=\"20\" y=\"40\">\(why)</text></svg>")
        }
        // Steps are signed 64-bit values from other people's events: spans are taken in Double, where
        // no pair of steps can overflow.
        let xAxis = options.x == .time ? Axis.time(Double(minX), Double(maxX)) : Axis.linear(Double(minX), Double(maxX), integer: true)
        let yAxis = options.logY ? Axis.log(minY, maxY) : Axis.linear(minY, maxY)
        svg += plot.frame(x: xAxis, y: yAxis, xTitle: options.x == .time ? "wall time (UTC)" : "step", yTitle: options.logY ? "log scale" : nil)
        func point(_ p: MetricPoint) -> String { "\(f(plot.x(xAxis, Double(p.step)))),\(f(plot.y(yAxis, p.value)))" }
        for (i, s) in drawn.enumerated() where !s.points.isEmpty {
            let color = Self.palette[i % Self.palette.count]
            let faded = s.smoothed.isEmpty ? "" : " stroke-opacity=\"0.3\""
            svg +=
                "<polyline fill=\"none\" stroke=\"\(color)\" stroke-width=\"1.5\"\(faded) points=\"\(s.points.map(point).joined(separator: " "))\"/>"
            if !s.smoothed.isEmpty {
                svg +=
                    "<polyline class=\"smoothed\" fill=\"none\" stroke=\"\(color)\" stroke-width=\"2\" points=\"\(s.smoothed.map(point).joined(separator: " "))\"/>"
            }
            svg += "<g fill=\"\(color)\">"
            for p in s.points.count <= 200 ? s.points : [] {
                svg +=
                    "<circle cx=\"\(f(plot.x(xAxis, Double(p.step))))\" cy=\"\(f(plot.y(yAxis, p.value)))\" r=\"2\"><title>\(HTML.escape(s.name)) \(HTML.escape(position(p))): \(HTML.escape(Self.label(p.value)))</title></circle>"
            }
            svg += "</g>"
            let at = legend.positions[i]
            svg += "<text x=\"\(f(at.x))\" y=\"\(f(at.y))\" font-size=\"11\" fill=\"\(color)\">\(HTML.escape(legend.labels[i]))</text>"
        }
        let hidden = drawn.map(\.hidden).reduce(0, +)
        if hidden > 0 {
            svg +=
                "<text x=\"\(f(width - 8))\" y=\"\(f(height - 4))\" font-size=\"10\" fill=\"#a64b00\" text-anchor=\"end\">\(hidden) points at or below zero not drawn on the log axis</text>"
        }
        svg += hoverBands(drawn, xAxis: xAxis, plot: plot)
        return HTML(markup: svg + "</svg>")
    }

    /// "step 12", or "14:30:05 UTC (step 12)" when the x axis is wall time.
    private func position(_ p: MetricPoint) -> String {
        options.x == .time ? "\(Format.time(p.step)) (step \(p.timestamp))" : "step \(p.step)"
    }

    /// Invisible vertical strips across the plot, each titled with every series' value nearest its
    /// middle: hovering anywhere shows values, whatever the number of points, with no script.
    private func hoverBands(_ drawn: [Drawn], xAxis: Axis, plot: Plot) -> String {
        let minX = xAxis.lo
        let maxX = xAxis.hi
        let count = Int(min(Double(hoverBandCount), maxX - minX + 1))
        guard count > 0 else { return "" }
        let bandW = plot.width / Double(count)
        var out = "<g class=\"bands\">"
        for i in 0..<count {
            let step = minX + (maxX / 2 - minX / 2) * 2 * (Double(i) + 0.5) / Double(count)
            let values = drawn.compactMap { s in Self.nearest(s.points, to: step).map { "\(s.name): \(Self.label($0.value)) (\(position($0)))" } }
            out +=
                "<rect class=\"band\" x=\"\(f(plot.left + Double(i) * bandW))\" y=\"\(f(plot.top))\" width=\"\(f(bandW))\" height=\"\(f(plot.height))\"><title>\(HTML.escape(values.joined(separator: "\n")))</title></rect>"
        }
        return out + "</g>"
    }

    /// Legend entries left to right, wrapping to a new row when the next would not fit; names are
    /// shortened to 40 characters (the full name is in the hover titles).
    static func legendLayout(_ names: [String], left: Double, width: Double) -> (labels: [String], positions: [(x: Double, y: Double)], rows: Int) {
        let charWidth = 6.2
        let gap = 14.0
        var x = left
        var row = 0
        var positions = [(x: Double, y: Double)]()
        var labels = [String]()
        for name in names {
            let label = name.count > 40 ? String(name.prefix(39)) + "…" : name
            let w = Double(label.count) * charWidth
            if x > left, x + w > left + width {
                row += 1
                x = left
            }
            positions.append((x, 14 + 14 * Double(row)))
            labels.append(label)
            x += w + gap
        }
        return (labels, positions, names.isEmpty ? 1 : row + 1)
    }

    /// The point whose step is closest to `step`, in points sorted by step.
    static func nearest(_ points: [MetricPoint], to step: Double) -> MetricPoint? {
        guard !points.isEmpty else { return nil }
        var lo = 0
        var hi = points.count - 1
        while lo < hi {
            let mid = (lo + hi) / 2
            if Double(points[mid].step) < step { lo = mid + 1 } else { hi = mid }
        }
        if lo > 0, step - Double(points[lo - 1].step) <= Double(points[lo].step) - step { return points[lo - 1] }
        return points[lo]
    }

    private func f(_ v: Double) -> String { Plot.decimal1(v) }

    static func label(_ v: Double) -> String {
        v == v.rounded() && abs(v) < 1e9 ? String(Int64(v)) : String(format: "%.4g", v)
    }
}
