import Foundation
import LedgerProtocol
import Testing

@testable import LedgerWeb

/// Ticks land on round values: 1, 2 or 5 times a power of ten, whole decades on log axes, natural
/// steps of time. Checked over many ranges, including the ones the run page used to label raw.
@Suite struct AxisTests {
    /// Whether `step` is 1, 2 or 5 times a power of ten.
    static func isRound(_ step: Double) -> Bool {
        let magnitude = pow(10, log10(step).rounded(.down))
        return [1.0, 2, 5, 10].contains { abs(step / magnitude - $0) < 1e-9 }
    }

    /// A tick label read back: `0.75`, `20k`, `1.5M`, `2e-5`.
    static func value(ofLabel label: String) -> Double? {
        let suffixes: [Character: Double] = ["k": 1e3, "M": 1e6, "G": 1e9, "T": 1e12]
        if let last = label.last, let scale = suffixes[last] { return Double(label.dropLast()).map { $0 * scale } }
        return Double(label)
    }

    @Test func linearTicksAreRoundAndCoverTheData() {
        var rng = SystemRandomNumberGenerator()
        var ranges: [(Double, Double)] = [(0.7462, 0.9312), (0, 149), (1, 1), (-3.2, 0.01), (0.00001234, 0.0000567), (12_345, 987_654), (-1e9, 3e9)]
        for _ in 0..<500 {
            let scale = pow(10, Double.random(in: -8...12, using: &rng))
            let a = Double.random(in: -1...1, using: &rng) * scale
            ranges.append((a, a + Double.random(in: 0...1, using: &rng) * scale))
        }
        for (lo, hi) in ranges {
            let axis = Axis.linear(lo, hi)
            #expect(axis.lo <= lo + axis.step * 1e-6 && axis.hi >= hi - axis.step * 1e-6, "\(lo)...\(hi) not covered by \(axis.lo)...\(axis.hi)")
            #expect((2...12).contains(axis.ticks.count), "\(lo)...\(hi): \(axis.ticks.count) ticks")
            #expect(Self.isRound(axis.step), "\(lo)...\(hi): step \(axis.step)")
            for t in axis.ticks {
                let k = t / axis.step
                #expect(abs(k - k.rounded()) < 1e-6, "\(t) is not a multiple of \(axis.step)")
                let shown = try? #require(Self.value(ofLabel: axis.label(t)), "label \(axis.label(t))")
                #expect(abs((shown ?? .nan) - t) <= axis.step * 1e-6 + abs(t) * 1e-9, "\(t) shown as \(axis.label(t))")
            }
        }
        #expect(Axis.linear(0.7462, 0.9312).ticks.map { Axis.linear(0.7462, 0.9312).label($0) } == ["0.70", "0.75", "0.80", "0.85", "0.90", "0.95"])
        #expect(Axis.linear(0, 149, integer: true).ticks == [0, 50, 100, 150])
        #expect(Axis.linear(0, 3, integer: true).ticks == [0, 1, 2, 3], "steps are whole numbers")
        #expect(Axis.linear(0, 30_000).ticks.map { Axis.linear(0, 30_000).label($0) } == ["0", "10k", "20k", "30k"])
        #expect(Axis.linear(0, 8000).ticks.map { Axis.linear(0, 8000).label($0) } == ["0", "2000", "4000", "6000", "8000"])
    }

    @Test func extremeAndBrokenRangesStillGiveAnAxis() {
        for (lo, hi) in [
            (-Double.greatestFiniteMagnitude, Double.greatestFiniteMagnitude), (Double(Int64.min), Double(Int64.max)), (.nan, 1),
            (-.infinity, .infinity),
        ] {
            let axis = Axis.linear(lo, hi)
            #expect(axis.ticks.count >= 2 && axis.ticks.allSatisfy(\.isFinite))
            #expect(axis.fraction(0).isFinite)
            _ = Axis.time(lo, hi).ticks
            _ = Axis.log(lo, hi).ticks
        }
    }

    @Test func logTicksAreDecades() {
        let axis = Axis.log(0.0001, 0.1)
        #expect(axis.ticks == [1e-4, 1e-3, 1e-2, 1e-1].map { $0 })
        #expect(axis.ticks.map(axis.label) == ["0.0001", "0.001", "0.01", "0.1"])
        #expect(abs(axis.fraction(0.001) - 1.0 / 3) < 1e-9)
        let short = Axis.log(3, 40)
        #expect(short.ticks == [1, 2, 5, 10, 20, 50, 100])
        let wide = Axis.log(1e-12, 1e20)
        #expect(wide.ticks.count <= 9 && wide.ticks.allSatisfy { abs(log10($0) - log10($0).rounded()) < 1e-9 })
        #expect(Axis.log(2e-5, 3e-5).label(1e-5) == "1e-5")
    }

    @Test func timeTicksFallOnNaturalSteps() throws {
        let start = 1_764_000_000_000.0  // 2025-11-24 16:00:00 UTC
        let hours = Axis.time(start + 60_000, start + 3 * 3_600_000)
        #expect(Axis.timeSteps.contains(hours.step))
        #expect(hours.ticks.allSatisfy { $0.truncatingRemainder(dividingBy: 1_800_000) == 0 })
        #expect(hours.ticks.map(hours.label).first == "16:00")
        let seconds = Axis.time(start, start + 20_000)
        #expect(seconds.ticks.map(seconds.label).prefix(2) == ["16:00:00", "16:00:05"])
        let days = Axis.time(start, start + 9 * 86_400_000)
        #expect(days.ticks.map(days.label).first == "Nov 24")
        let months = Axis.time(start, start + 400 * 86_400_000)
        #expect(months.ticks.map(months.label).contains("Jan 2026"))
        for t in months.ticks { #expect(CalendarMonths.utc(t)?.tm_mday == 1, "month ticks fall on the first") }
        let years = Axis.time(0, start)
        #expect(years.ticks.map(years.label).contains("2000"))
    }

    @Test func smoothingFollowsTensorBoard() {
        let flat = (0..<10).map { MetricPoint(step: Int64($0), timestamp: 0, value: 3) }
        #expect(Smoothing.ema(flat, weight: 0.9).allSatisfy { abs($0.value - 3) < 1e-12 }, "debiased: a flat series stays flat")
        let steps = [1.0, 0, 1, 0].enumerated().map { MetricPoint(step: Int64($0), timestamp: 0, value: $1) }
        let smoothed = Smoothing.ema(steps, weight: 0.5).map(\.value)
        #expect(smoothed[0] == 1 && abs(smoothed[1] - 1.0 / 3) < 1e-12)
        #expect(Smoothing.ema(steps, weight: 0) == steps)
    }

    @Test func chartOptionsTravelInTheAddressAndBecomeLinks() {
        let options = ChartOptions(FormData(parsing: "x=time&y=log&smooth=0.9"))
        #expect(options == ChartOptions(x: .time, logY: true, smoothing: 0.9))
        #expect(ChartOptions(FormData(parsing: "smooth=7")).smoothing == 0.99)
        #expect(ChartOptions(FormData(parsing: "smooth=nan")).smoothing == 0)
        let controls = options.controls(path: "compare", keep: [("run", "a"), ("run", "b")]).markup
        #expect(controls.contains("href=\"compare?run=a&amp;run=b&amp;y=log&amp;smooth=0.9\">step</a>"))
        #expect(controls.contains("<strong aria-current=\"true\">wall time</strong>"))
        #expect(controls.contains("href=\"compare?run=a&amp;run=b&amp;x=time&amp;smooth=0.9\">linear</a>"))
    }

    @Test func chartsDrawRoundTicksLogAxesAndWallTime() throws {
        let points = (0..<150).map {
            MetricPoint(step: Int64($0), timestamp: 1_764_000_000_000 + Int64($0) * 60_000, value: 0.7462 + Double($0) / 800)
        }
        let svg = SVGChart().render([.init(name: "acc", points: points)], title: "acc").markup
        #expect(svg.contains("data-v=\"0.75\">0.75</text>") && svg.contains("data-v=\"150\">150</text>"))
        #expect(!svg.contains(">0.7462<") && !svg.contains(">149<"), "ticks are not raw data values")
        let timed = SVGChart(options: ChartOptions(x: .time)).render([.init(name: "acc", points: points)], title: "acc").markup
        #expect(timed.contains("data-kind=\"time\"") && timed.contains(">16:00<") && timed.contains("wall time (UTC)"))
        #expect(timed.contains("(step 0)"))
        let mixed = [-1.0, 0, 0.01, 1, 100].enumerated().map { MetricPoint(step: Int64($0), timestamp: 0, value: $1) }
        let log = SVGChart(options: ChartOptions(logY: true)).render([.init(name: "loss", points: mixed)], title: "loss").markup
        #expect(log.contains("data-kind=\"log\"") && log.contains("2 points at or below zero not drawn"))
        #expect(log.components(separatedBy: "<circle").count - 1 == 3)
        let smooth = SVGChart(options: ChartOptions(smoothing: 0.6)).render([.init(name: "loss", points: points)], title: "loss").markup
        #expect(smooth.contains("class=\"smoothed\"") && smooth.contains("stroke-opacity=\"0.3\""))
    }
}
