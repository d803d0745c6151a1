import Foundation

/// One axis of a chart: its domain, how values map onto it, and ticks at round values (1, 2 or 5 times a
/// power of ten; powers of ten on a log axis; whole seconds, minutes, hours, days or months on a time
/// axis). The domain is widened to the outer ticks, so lines never start between two labels.
public struct Axis: Sendable {
    public enum Kind: String, Sendable, Equatable { case linear, log, time, categories }

    public let kind: Kind
    /// The ends of the axis in the values' own units (for a log axis, still the values, not their logs).
    public let lo: Double
    public let hi: Double
    public let ticks: [Double]
    /// The distance between ticks on a linear or time axis; labels show as many decimals as it needs.
    let step: Double
    /// The values of a categorical axis (text params such as an optimizer's name), at 0, 1, 2...
    public var names: [String] = []

    /// Evenly spaced text values, each at its index.
    public static func categories(_ names: [String]) -> Axis {
        var axis = Axis(kind: .categories, lo: -0.5, hi: Double(max(1, names.count)) - 0.5, ticks: names.indices.map(Double.init), step: 1)
        axis.names = names
        return axis
    }

    /// A linear axis over `lo...hi` with about `target` ticks; `integer` keeps steps whole (chart steps).
    public static func linear(_ lo: Double, _ hi: Double, target: Int = 5, integer: Bool = false) -> Axis {
        var (lo, hi) = finiteRange(lo, hi)
        if lo == hi {
            let pad = lo == 0 ? 1 : abs(lo) / 10
            (lo, hi) = (lo - pad, hi + pad)
        }
        let span = hi / 2 - lo / 2  // half the span: finite for any two finite numbers
        var step = niceStep(span * 2 / Double(max(1, target)))
        if integer { step = max(1, step.rounded()) }
        guard step.isFinite, step > 0 else { return Axis(kind: .linear, lo: lo, hi: hi, ticks: [lo, hi], step: 0) }
        // A hair of tolerance: 0.9 / 0.1 is 9.000000000000002, which must not add a tick at 1.0.
        let first = (lo / step + 1e-9).rounded(.down)
        let last = (hi / step - 1e-9).rounded(.up)
        let niceLo = first * step
        let niceHi = last * step
        guard niceLo.isFinite, niceHi.isFinite, last - first <= 100 else { return Axis(kind: .linear, lo: lo, hi: hi, ticks: [lo, hi], step: 0) }
        let ticks = stride(from: first, through: last, by: 1).map { $0 * step }
        return Axis(kind: .linear, lo: niceLo, hi: niceHi, ticks: ticks, step: step)
    }

    /// A log axis over positive values: whole decades, with 2 and 5 between them when there are few.
    public static func log(_ lo: Double, _ hi: Double) -> Axis {
        let (a, b) = finiteRange(lo, hi)
        let (lo, hi) = (Swift.max(a, .leastNormalMagnitude), Swift.max(b, .leastNormalMagnitude))
        let first = (log10(lo) + 1e-9).rounded(.down)
        var last = (log10(hi) - 1e-9).rounded(.up)
        if last == first { last += 1 }
        let decades = last - first
        let every = max(1, (decades / 8).rounded(.up))
        var ticks = [Double]()
        for d in stride(from: first, through: last, by: every) {
            ticks.append(pow(10, d))
            if decades <= 2, d < last { ticks += [2 * pow(10, d), 5 * pow(10, d)] }
        }
        return Axis(kind: .log, lo: pow(10, first), hi: pow(10, last), ticks: ticks, step: 0)
    }

    /// A wall-time axis over Unix milliseconds, ticks at natural steps in UTC.
    public static func time(_ lo: Double, _ hi: Double, target: Int = 5) -> Axis {
        var (lo, hi) = finiteRange(lo, hi)
        if lo == hi { (lo, hi) = (lo - 500, hi + 500) }
        let span = hi - lo
        if let step = timeSteps.first(where: { span / $0 <= Double(target) }) {
            let first = (lo / step).rounded(.down)
            let last = (hi / step).rounded(.up)
            return Axis(
                kind: .time, lo: first * step, hi: last * step, ticks: stride(from: first, through: last, by: 1).map { $0 * step }, step: step)
        }
        // Dates a calendar cannot hold (from other people's clocks) get plain numbers.
        guard let months = CalendarMonths.ticks(lo, hi, target: target), let first = months.ticks.first, let last = months.ticks.last else {
            return linear(lo, hi, target: target)
        }
        return Axis(kind: .time, lo: first, hi: last, ticks: months.ticks, step: Double(months.every) * CalendarMonths.monthMs)
    }

    /// Milliseconds: sub-second, seconds, minutes, hours, days; longer spans step by calendar months.
    static let timeSteps: [Double] = [
        1, 2, 5, 10, 20, 50, 100, 200, 500,
        1_000, 2_000, 5_000, 10_000, 15_000, 30_000,
        60_000, 120_000, 300_000, 600_000, 900_000, 1_800_000,
        3_600_000, 7_200_000, 10_800_000, 21_600_000, 43_200_000,
        86_400_000, 172_800_000, 604_800_000, 1_209_600_000,
    ]

    /// The smallest of 1, 2, 5 or 10 times a power of ten that is at least `raw`.
    static func niceStep(_ raw: Double) -> Double {
        guard raw.isFinite, raw > 0 else { return 0 }
        let magnitude = pow(10, log10(raw).rounded(.down))
        return [1.0, 2, 5, 10].map { $0 * magnitude }.first { $0 >= raw * (1 - 1e-9) } ?? 10 * magnitude
    }

    /// Any two doubles as a finite, ordered pair (NaN and infinities come from other people's data).
    static func finiteRange(_ a: Double, _ b: Double) -> (Double, Double) {
        let x = a.isFinite ? a : (a.isNaN ? 0 : (a > 0 ? Double.greatestFiniteMagnitude : -Double.greatestFiniteMagnitude))
        let y = b.isFinite ? b : (b.isNaN ? 0 : (b > 0 ? Double.greatestFiniteMagnitude : -Double.greatestFiniteMagnitude))
        return (Swift.min(x, y), Swift.max(x, y))
    }

    /// Where `v` falls, 0 at `lo` and 1 at `hi` (outside that for values beyond the domain).
    public func fraction(_ v: Double) -> Double {
        switch kind {
        case .log:
            guard v > 0 else { return 0 }
            return (log10(v) - log10(lo)) / (log10(hi) - log10(lo))
        case .linear, .time, .categories:
            let half = hi / 2 - lo / 2
            return half > 0 ? (v / 2 - lo / 2) / half : 0.5
        }
    }

    /// Whether `v` can be drawn on this axis.
    public func accepts(_ v: Double) -> Bool { v.isFinite && (kind != .log || v > 0) }

    /// A tick's label: as many decimals as the step needs, k/M/G above ten thousand, dates on a time axis.
    public func label(_ v: Double) -> String {
        switch kind {
        case .time: TimeLabel.format(v, step: step)
        case .categories: names.indices.contains(Int(v)) ? names[Int(v)] : ""

        case .log: Self.compact(v, step: v)
        case .linear: Self.compact(v, step: step)
        }
    }

    /// A value as a tick shows it: `0.75`, `120`, `20k`, `1.5M`, `2e-5`.
    static func compact(_ v: Double, step: Double) -> String {
        if v == 0 { return "0" }
        let size = abs(v)
        if size >= 1e15 || (size < 1e-4 && step < 1e-4) { return trimmedExponent(v, step: step) }
        for (scale, suffix) in [(1e12, "T"), (1e9, "G"), (1e6, "M"), (1e3, "k")] where size >= 10 * scale || (size >= scale && scale > 1e3) {
            return decimal(v / scale, step: step / scale) + suffix
        }
        return decimal(v, step: step)
    }

    private static func decimal(_ v: Double, step: Double) -> String {
        let decimals = step > 0 ? max(0, min(12, Int((-log10(step) - 1e-9).rounded(.up)))) : 0
        let text = String(format: "%.\(decimals)f", v)
        return text == "-0" ? "0" : text
    }

    /// `2e-5`, `1.25e18`: as many digits as the step between ticks needs.
    private static func trimmedExponent(_ v: Double, step: Double) -> String {
        let digits = step > 0 ? Int((log10(abs(v)) + 1e-9).rounded(.down) - (log10(step) + 1e-9).rounded(.down)) : 1
        let text = String(format: "%.\(max(0, min(15, digits)))e", v)  // 1.250e+18, 2e-05
        guard let e = text.firstIndex(of: "e") else { return text }
        var mantissa = String(text[..<e])
        while mantissa.contains("."), mantissa.hasSuffix("0") || mantissa.hasSuffix(".") { mantissa.removeLast() }
        var exponent = String(text[text.index(after: e)...])
        let negative = exponent.hasPrefix("-")
        exponent = String(exponent.drop { $0 == "-" || $0 == "+" || $0 == "0" })
        return mantissa + "e" + (negative ? "-" : "") + (exponent.isEmpty ? "0" : exponent)
    }
}
