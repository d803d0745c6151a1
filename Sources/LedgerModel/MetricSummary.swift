import LedgerProtocol

/// Aggregates of one metric series that are independent of the order batches arrive in: count,
/// minimum, maximum and the latest point (highest step, then timestamp, then value, as MLflow picks).
public struct MetricSummary: Sendable, Equatable, Codable {
    public var count: Int64 = 0
    /// Nil while the series holds no number (only NaN).
    public var min: Double?
    public var max: Double?
    public var last: MetricPoint?

    public init() {}

    public init(_ points: [MetricPoint]) {
        add(points)
    }

    public mutating func add(_ points: [MetricPoint]) {
        for p in points {
            count += 1
            if !p.value.isNaN {
                min = Swift.min(min ?? p.value, p.value)
                max = Swift.max(max ?? p.value, p.value)
            }
            if let l = last {
                if Self.isLater(p, than: l) { last = p }
            } else {
                last = p
            }
        }
    }

    /// The latest-point rule, also applied by the store's SQL when it merges summaries.
    public static func isLater(_ a: MetricPoint, than b: MetricPoint) -> Bool {
        if a.step != b.step { return a.step > b.step }
        if a.timestamp != b.timestamp { return a.timestamp > b.timestamp }
        // IEEE total order, so the rule also decides between NaN and numbers.
        return !a.value.isTotallyOrdered(belowOrEqualTo: b.value)
    }

    /// Combines two summaries of disjoint sets of points; the result does not depend on the order.
    public func merged(with other: MetricSummary) -> MetricSummary {
        var m = self
        m.count += other.count
        if let o = other.min { m.min = Swift.min(m.min ?? o, o) }
        if let o = other.max { m.max = Swift.max(m.max ?? o, o) }
        if let o = other.last, m.last.map({ Self.isLater(o, than: $0) }) ?? true { m.last = o }
        return m
    }
}
