import LedgerProtocol

/// Whether a monitoring rule (SPEC 6.16) fires over a version's production points: pure, so the watcher,
/// the tests and any relay judge the same points the same way.
public enum RuleCheck {
    /// Whether one value breaks the rule. NaN breaks nothing (it says nothing); a drift without a training
    /// value cannot be judged.
    public static func breaks(_ value: Double, _ rule: MonitorRule.Definition, baseline: Double?) -> Bool {
        guard !value.isNaN else { return false }
        switch rule.condition {
        case .below: return value < rule.threshold
        case .above: return value > rule.threshold
        case .drift:
            guard let baseline, baseline.isFinite else { return false }
            return driftPercent(value, from: baseline) > rule.threshold
        }
    }

    /// How far `value` is from `baseline`, in percent of the baseline (infinite from a zero baseline).
    public static func driftPercent(_ value: Double, from baseline: Double) -> Double {
        let gap = abs(value - baseline)
        return baseline == 0 ? (gap == 0 ? 0 : .infinity) : gap / abs(baseline) * 100
    }

    /// The window that makes the rule fire now: the latest run of breaking points, when it ends at the
    /// last point and lasts at least the rule's duration. Points are sorted here by time.
    public static func firingWindow(_ points: [MetricPoint], _ rule: MonitorRule.Definition, baseline: Double?) -> [MetricPoint]? {
        let sorted = points.sorted { ($0.timestamp, $0.step) < ($1.timestamp, $1.step) }
        let start = (sorted.lastIndex { !breaks($0.value, rule, baseline: baseline) } ?? -1) + 1
        guard start < sorted.count else { return nil }
        let window = Array(sorted[start...])
        guard let first = window.first, let last = window.last, last.timestamp - first.timestamp >= Int64(clamping: rule.forMs) else {
            return nil
        }
        return window
    }

    /// How far back a check reads: the serving stint's start, but no more than a day (or twice the rule's
    /// duration) before now, so a long-serving version costs a check the same as a new one. A breach longer
    /// than that is alerted again once per such span.
    public static func lookbackStart(stint: Int64, now: Int64, _ rule: MonitorRule.Definition) -> Int64 {
        let span = max(86_400_000, Int64(clamping: rule.forMs).multipliedReportingOverflow(by: 2).partialValue)
        return max(stint, now - span)
    }

    /// One line that says what broke, for the alert and its readers.
    public static func summary(metric: String, _ rule: MonitorRule.Definition, window: [MetricPoint], baseline: Double?) -> String {
        let values = window.map(\.value)
        let span = (window.last?.timestamp ?? 0) - (window.first?.timestamp ?? 0)
        let range = "\(values.min() ?? .nan)…\(values.max() ?? .nan)"
        let what: String
        switch rule.condition {
        case .below: what = "below \(rule.threshold)"
        case .above: what = "above \(rule.threshold)"
        case .drift: what = "more than \(rule.threshold)% from the training value \(baseline.map { "\($0)" } ?? "?")"
        }
        return "\(metric) \(what) for \(DurationText.text(ms: span)) (\(window.count) points, \(range))"
    }
}

extension MonitorRule.Definition {
    /// What the rule watches, as people typed it: "accuracy below 0.8 for 5m".
    public var text: String {
        let what: String
        switch condition {
        case .below, .above: what = "\(condition.rawValue) \(threshold)"
        case .drift: what = "drifts more than \(threshold)% from training \(baseline ?? metric)"
        }
        return "\(metric) \(what) for \(DurationText.text(ms: Int64(clamping: forMs)))"
    }
}

/// Durations as people type them: `30s`, `5m`, `1h`, `250ms`, `2d`.
public enum DurationText {
    /// Milliseconds, or nil when the text is not a number followed by ms, s, m, h or d.
    public static func parse(_ text: String) -> UInt64? {
        let units: [(String, UInt64)] = [("ms", 1), ("s", 1000), ("m", 60_000), ("h", 3_600_000), ("d", 86_400_000)]
        for (suffix, factor) in units where text.hasSuffix(suffix) {
            let number = text.dropLast(suffix.count)
            if number.last?.isLetter == true { continue }
            guard let n = UInt64(number) else { return nil }
            let (product, overflow) = n.multipliedReportingOverflow(by: factor)
            return overflow ? nil : product
        }
        return nil
    }

    /// The shortest exact text of a duration in ms (`90s`, `5m`, `1500ms`, `0s`).
    public static func text(ms: Int64) -> String {
        if ms == 0 { return "0s" }
        for (suffix, factor) in [("d", Int64(86_400_000)), ("h", 3_600_000), ("m", 60_000), ("s", 1000)] where ms != 0 && ms % factor == 0 {
            return "\(ms / factor)\(suffix)"
        }
        return "\(ms)ms"
    }
}
