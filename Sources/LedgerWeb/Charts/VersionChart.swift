import Foundation

/// A model's versions along the x axis and one training metric of each version's source run up the y
/// axis, joined in version order; each dot links to the run. Production metrics per version join this
/// chart once deployments are recorded.
public struct VersionChart: Sendable {
    public struct Point: Sendable, Equatable {
        public var version: UInt64
        public var run: String
        public var value: Double
        public init(version: UInt64, run: String, value: Double) {
            self.version = version
            self.run = run
            self.value = value
        }
    }

    public var width = 420.0
    public var height = 230.0

    public init() {}

    public func render(_ points: [Point], metric: String) -> HTML {
        let points = points.filter { $0.value.isFinite }.sorted { $0.version < $1.version }
        var svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 \(Int(width)) \(Int(height))\" role=\"img\" class=\"chart versions\">"
        svg += "<title>\(HTML.escape(metric)) by version</title>"
        guard let first = points.first, let last = points.last, let lo = points.map(\.value).min(), let hi = points.map(\.value).max() else {
            return HTML(markup: svg + "<text x=\"20\" y=\"40\">no values</text></svg>")
        }
        let xAxis = Axis.linear(Double(first.version), Double(last.version), target: min(8, max(1, points.count)), integer: true)
        let yAxis = Axis.linear(lo, hi, target: 4)
        let plot = Plot(left: 58, top: 12, width: width - 58 - 16, height: height - 12 - 46, inset: 8)
        svg += plot.frame(x: xAxis, y: yAxis, xTitle: "version", yTitle: nil)
        let line = points.map { "\(plot.f(plot.x(xAxis, Double($0.version)))),\(plot.f(plot.y(yAxis, $0.value)))" }.joined(separator: " ")
        svg += "<polyline fill=\"none\" stroke=\"#1f77b4\" stroke-width=\"1.5\" points=\"\(line)\"/><g fill=\"#1f77b4\">"
        for p in points {
            svg +=
                "<a href=\"\(Links.run(p.run))\"><circle cx=\"\(plot.f(plot.x(xAxis, Double(p.version))))\" cy=\"\(plot.f(plot.y(yAxis, p.value)))\" r=\"4\"><title>\(HTML.escape("v\(p.version) \(metric): \(SVGChart.label(p.value))"))</title></circle></a>"
        }
        return HTML(markup: svg + "</g></svg>")
    }
}
