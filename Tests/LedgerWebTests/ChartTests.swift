import Foundation
import LedgerModel
import LedgerProtocol
import Testing

@testable import LedgerWeb

@Suite struct ChartTests {
    @Test func escapingNeutralisesMarkup() {
        #expect(HTML.escape("<script>alert('x')</script> & \"q\"") == "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;q&quot;")
        #expect(HTML.escape("plain ✓") == "plain ✓")
    }

    @Test func lttbKeepsEndsPeaksAndTheBudget() {
        var points = (0..<100_000).map { MetricPoint(step: Int64($0), timestamp: 0, value: sin(Double($0) / 500)) }
        points[54_321].value = 50  // a single spike must survive
        let sampled = Downsampling.lttb(points, threshold: 1000)
        #expect(sampled.count == 1000)
        #expect(sampled.first == points.first)
        #expect(sampled.last == points.last)
        #expect(sampled.contains { $0.step == 54_321 })
        #expect(zip(sampled, sampled.dropFirst()).allSatisfy { $0.step < $1.step })
        #expect(Downsampling.lttb(Array(points.prefix(10)), threshold: 1000).count == 10)
    }

    @Test func lttbSkipsValuesThatCannotBeDrawn() {
        let points = [
            MetricPoint(step: 0, timestamp: 0, value: 1), MetricPoint(step: 1, timestamp: 0, value: .nan),
            MetricPoint(step: 2, timestamp: 0, value: .infinity), MetricPoint(step: 3, timestamp: 0, value: 2),
        ]
        #expect(Downsampling.lttb(points, threshold: 10).map(\.step) == [0, 3])
    }

    @Test func chartsDrawAxesLegendAndEscapedNames() {
        let loss = (0..<50).map { MetricPoint(step: Int64($0), timestamp: 0, value: 1 / Double($0 + 1)) }
        let svg = SVGChart().render([.init(name: "<b>loss</b>", points: loss), .init(name: "acc", points: [])], title: "run \"x\"").markup
        #expect(svg.hasPrefix("<svg"))
        #expect(svg.hasSuffix("</svg>"))
        #expect(svg.contains("<polyline"))
        #expect(svg.contains("&lt;b&gt;loss&lt;/b&gt;"))
        #expect(!svg.contains("<b>"))
        #expect(svg.contains("run &quot;x&quot;"))
        #expect(svg.components(separatedBy: "<circle").count - 1 == 50)
        #expect(SVGChart().render([], title: "empty").markup.contains("no points"))
    }

    @Test func largeSeriesAreDownsampledBeforeDrawing() {
        let points = (0..<200_000).map { MetricPoint(step: Int64($0), timestamp: 0, value: Double($0 % 977)) }
        let svg = SVGChart().render([.init(name: "loss", points: points)], title: "big").markup
        let polyline = svg.components(separatedBy: "points=\"").dropFirst().first?.components(separatedBy: "\"").first ?? ""
        #expect(polyline.split(separator: " ").count == 1000)
    }
}
