import Foundation
import LedgerModel
import LedgerProtocol

/// Line charts of metric series as inline SVG: axes with ticks, a legend, and a hover title on every
/// drawn point. Series are downsampled on the server (LTTB), so a million-point series stays light.
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
    static let palette = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#17becf", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22"]

    public init() {}

    public func render(_ series: [Series], title: String) -> HTML {
        let drawn = series.map { Series(name: $0.name, points: Downsampling.lttb($0.points, threshold: maxPoints)) }
        let all = drawn.flatMap(\.points)
        let legend = Self.legendLayout(drawn.map(\.name), left: 64, width: width - 80)
        let margin = (left: 56.0, right: 16.0, top: 14.0 + 14.0 * Double(legend.rows), bottom: 36.0)
        let plotW = width - margin.left - margin.right
        let plotH = height - margin.top - margin.bottom
        var svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 \(Int(width)) \(Int(height))\" role=\"img\" class=\"chart\">"
        svg += "<title>\(HTML.escape(title))</title>"
        guard let minX = all.map(\.step).min(), let maxX = all.map(\.step).max(),
            let minY = all.map(\.value).min(), let maxY = all.map(\.value).max()
        else {
            return HTML(markup: svg + "<text x=\"20\" y=\"40\">no points</text></svg>")
        }
        // Steps are signed 64-bit values from other people's events: spans are taken in Double, where
        // no pair of steps can overflow.
        let lo = Double(minX)
        let hi = Double(maxX)
        let spanX = max(1, hi - lo)
        let spanY = maxY > minY ? maxY - minY : 1
        func x(_ step: Double) -> Double { margin.left + (step - lo) / spanX * plotW }
        func y(_ v: Double) -> Double { margin.top + (1 - (v - minY) / spanY) * plotH }
        svg +=
            "<g class=\"axes\" stroke=\"#888\" fill=\"none\"><line x1=\"\(f(margin.left))\" y1=\"\(f(margin.top + plotH))\" x2=\"\(f(margin.left + plotW))\" y2=\"\(f(margin.top + plotH))\"/>"
        svg += "<line x1=\"\(f(margin.left))\" y1=\"\(f(margin.top))\" x2=\"\(f(margin.left))\" y2=\"\(f(margin.top + plotH))\"/></g>"
        svg += "<g class=\"ticks\" font-size=\"10\" fill=\"#444\">"
        for i in 0...4 {
            let v = minY + spanY * Double(i) / 4
            svg += "<text x=\"\(f(margin.left - 6))\" y=\"\(f(y(v) + 3))\" text-anchor=\"end\">\(HTML.escape(Self.label(v)))</text>"
            let s = (lo + (hi - lo) * Double(i) / 4).rounded()
            svg += "<text x=\"\(f(x(s)))\" y=\"\(f(margin.top + plotH + 14))\" text-anchor=\"middle\">\(HTML.escape(Self.label(s)))</text>"
        }
        svg += "</g>"
        for (i, s) in drawn.enumerated() where !s.points.isEmpty {
            let color = Self.palette[i % Self.palette.count]
            let path = s.points.map { "\(f(x(Double($0.step)))),\(f(y($0.value)))" }.joined(separator: " ")
            svg += "<polyline fill=\"none\" stroke=\"\(color)\" stroke-width=\"1.5\" points=\"\(path)\"/>"
            svg += "<g fill=\"\(color)\">"
            for p in s.points.count <= 200 ? s.points : [] {
                svg +=
                    "<circle cx=\"\(f(x(Double(p.step))))\" cy=\"\(f(y(p.value)))\" r=\"2\"><title>\(HTML.escape(s.name)) step \(p.step): \(HTML.escape(Self.label(p.value)))</title></circle>"
            }
            svg += "</g>"
            let at = legend.positions[i]
            svg += "<text x=\"\(f(at.x))\" y=\"\(f(at.y))\" font-size=\"11\" fill=\"\(color)\">\(HTML.escape(legend.labels[i]))</text>"
        }
        svg += hoverBands(drawn, minX: lo, maxX: hi, left: margin.left, top: margin.top, width: plotW, height: plotH)
        return HTML(markup: svg + "</svg>")
    }

    /// Invisible vertical strips across the plot, each titled with every series' value nearest its
    /// middle: hovering anywhere shows values, whatever the number of points, with no script.
    private func hoverBands(_ drawn: [Series], minX: Double, maxX: Double, left: Double, top: Double, width: Double, height: Double) -> String {
        let count = Int(min(Double(hoverBandCount), maxX - minX + 1))
        guard count > 0 else { return "" }
        let bandW = width / Double(count)
        var out = "<g class=\"bands\">"
        for i in 0..<count {
            let step = minX + (maxX - minX) * (Double(i) + 0.5) / Double(count)
            let values = drawn.compactMap { s in Self.nearest(s.points, to: step).map { "\(s.name): \(Self.label($0.value)) (step \($0.step))" } }
            out +=
                "<rect class=\"band\" x=\"\(f(left + Double(i) * bandW))\" y=\"\(f(top))\" width=\"\(f(bandW))\" height=\"\(f(height))\"><title>\(HTML.escape(values.joined(separator: "\n")))</title></rect>"
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

    private func f(_ v: Double) -> String { String(format: "%.1f", v) }

    static func label(_ v: Double) -> String {
        v == v.rounded() && abs(v) < 1e9 ? String(Int64(v)) : String(format: "%.4g", v)
    }
}
