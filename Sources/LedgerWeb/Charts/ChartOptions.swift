import LedgerProtocol

/// How the metric charts of a page are drawn, chosen with links (no script): step or wall time on the
/// x axis, a linear or log y axis, and exponential smoothing. The choice travels in the address.
public struct ChartOptions: Sendable, Equatable {
    public enum XAxis: String, Sendable { case step, time }

    public var x: XAxis = .step
    public var logY = false
    /// The weight of the previous smoothed value, 0 (off) to 0.99, as TensorBoard's slider.
    public var smoothing = 0.0

    public static let smoothingChoices = [0.0, 0.6, 0.9, 0.99]

    public init(x: XAxis = .step, logY: Bool = false, smoothing: Double = 0) {
        self.x = x
        self.logY = logY
        self.smoothing = Self.clamp(smoothing)
    }

    public init(_ form: FormData) {
        x = form["x"] == "time" ? .time : .step
        logY = form["y"] == "log"
        smoothing = Self.clamp(form["smooth"].flatMap(Double.init) ?? 0)
    }

    static func clamp(_ s: Double) -> Double { s.isFinite ? min(0.99, max(0, s)) : 0 }

    /// The address's pairs for these options; defaults are left out.
    public var pairs: [(String, String)] {
        [("x", x == .time ? "time" : ""), ("y", logY ? "log" : ""), ("smooth", smoothing > 0 ? Format.number(smoothing) : "")]
    }

    /// The toggles above a page's charts: each link is the page's address (`path` with `keep`, such as
    /// the compared runs) with one option changed; the current choice is marked, not linked.
    func controls(path: String, keep: [(String, String)]) -> HTML {
        func choice(_ label: String, _ options: ChartOptions) -> HTML {
            Layout.choice(label, current: options == self, href: Links.with(path, keep + options.pairs))
        }
        var time = self
        time.x = .time
        var step = self
        step.x = .step
        var log = self
        log.logY = true
        var linear = self
        linear.logY = false
        let smoothing = HTML.each(Self.smoothingChoices.enumerated()) { i, s -> HTML in
            var o = self
            o.smoothing = s
            return "\(HTML.when(i > 0, " · "))\(choice(s == 0 ? "off" : Format.number(s), o))"
        }
        return """
            <p class="chart-controls"><span>x axis: \(choice("step", step)) · \(choice("wall time", time))</span>\
            <span>y axis: \(choice("linear", linear)) · \(choice("log", log))</span>\
            <span>smoothing: \(smoothing)</span></p>
            """
    }
}

/// Exponential moving average with TensorBoard's debiasing: the first values are not pulled to zero.
public enum Smoothing {
    public static func ema(_ points: [MetricPoint], weight: Double) -> [MetricPoint] {
        guard weight > 0 else { return points }
        var last = 0.0
        var factor = 1.0
        var out = [MetricPoint]()
        out.reserveCapacity(points.count)
        for p in points where p.value.isFinite {
            last = last * weight + (1 - weight) * p.value
            factor *= weight
            out.append(MetricPoint(step: p.step, timestamp: p.timestamp, value: last / (1 - factor)))
        }
        return out
    }
}
