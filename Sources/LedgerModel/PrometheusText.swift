/// One sample of the Prometheus text exposition format (0.0.4).
public struct PrometheusSample: Sendable, Equatable {
    public var name: String
    public var labels: [String: String]
    public var value: Double
    /// Unix ms, when the exposition gives one.
    public var timestamp: Int64?

    public init(name: String, labels: [String: String] = [:], value: Double, timestamp: Int64? = nil) {
        self.name = name
        self.labels = labels
        self.value = value
        self.timestamp = timestamp
    }

    /// The series key a ledger records: the name, and the labels other than `excluded` in name order,
    /// e.g. `http_requests_total{code="200"}`.
    public func key(excluding excluded: Set<String> = []) -> String {
        let kept = labels.filter { !excluded.contains($0.key) }.sorted { $0.key < $1.key }
        guard !kept.isEmpty else { return name }
        return name + "{" + kept.map { "\($0.key)=\"\(Self.escape($0.value))\"" }.joined(separator: ",") + "}"
    }

    static func escape(_ s: String) -> String {
        s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"").replacingOccurrences(of: "\n", with: "\\n")
    }
}

/// A parser of the Prometheus text format: samples in, comments out. A line it cannot read is counted and
/// skipped, so one odd series never hides the others.
public enum PrometheusText {
    public struct Parsed: Sendable, Equatable {
        public var samples: [PrometheusSample]
        public var skipped: Int
    }

    public static func parse(_ text: String) -> Parsed {
        var out = Parsed(samples: [], skipped: 0)
        for line in text.split(omittingEmptySubsequences: true, whereSeparator: { $0 == "\n" || $0 == "\r" }) {
            let trimmed = line.drop { $0 == " " || $0 == "\t" }
            if trimmed.isEmpty || trimmed.hasPrefix("#") { continue }
            if let sample = sample(Substring(trimmed)) { out.samples.append(sample) } else { out.skipped += 1 }
        }
        return out
    }

    static func sample(_ line: Substring) -> PrometheusSample? {
        var rest = line[...]
        let name = rest.prefix { $0.isLetter || $0.isNumber || $0 == "_" || $0 == ":" }
        guard let first = name.first, !first.isNumber else { return nil }
        rest = rest.dropFirst(name.count)
        var labels = [String: String]()
        if rest.first == "{" {
            rest = rest.dropFirst()
            guard let parsed = self.labels(&rest) else { return nil }
            labels = parsed
        }
        let fields = rest.split(whereSeparator: { $0 == " " || $0 == "\t" })
        guard fields.count == 1 || fields.count == 2, let value = number(fields[0]) else { return nil }
        var timestamp: Int64?
        if fields.count == 2 {
            guard let t = Int64(fields[1]) else { return nil }
            timestamp = t
        }
        return PrometheusSample(name: String(name), labels: labels, value: value, timestamp: timestamp)
    }

    /// Reads `a="x",b="y"}` (after the brace), leaving `rest` after the closing brace.
    static func labels(_ rest: inout Substring) -> [String: String]? {
        var labels = [String: String]()
        while true {
            rest = rest.drop { $0 == " " || $0 == "," }
            if rest.first == "}" {
                rest = rest.dropFirst()
                return labels
            }
            let key = rest.prefix { $0.isLetter || $0.isNumber || $0 == "_" }
            guard !key.isEmpty else { return nil }
            rest = rest.dropFirst(key.count).drop { $0 == " " }
            guard rest.first == "=" else { return nil }
            rest = rest.dropFirst().drop { $0 == " " }
            guard rest.first == "\"" else { return nil }
            rest = rest.dropFirst()
            var value = ""
            var escaped = false
            while let c = rest.first {
                rest = rest.dropFirst()
                if escaped {
                    value.append(c == "n" ? "\n" : c)
                    escaped = false
                } else if c == "\\" {
                    escaped = true
                } else if c == "\"" {
                    break
                } else {
                    value.append(c)
                }
            }
            labels[String(key)] = value
        }
    }

    /// A Go-style float: digits, exponents, `NaN`, `+Inf`, `-Inf`.
    static func number(_ text: Substring) -> Double? {
        switch text {
        case "NaN": return .nan
        case "+Inf", "Inf": return .infinity
        case "-Inf": return -.infinity
        default:
            guard text.allSatisfy({ $0.isNumber || "+-.eE".contains($0) }) else { return nil }
            return Double(text)
        }
    }
}

/// Which samples of a scrape become production points, and of which version.
public enum ScrapeSelection {
    /// The label a serving app may put on its samples to say which model version made them.
    public static let versionLabel = "model_version"

    /// Whether a sample name is chosen: one of `metrics`, or a family of one (`_sum`, `_count`, `_total`);
    /// with no list, every sample but histogram buckets and `_created` stamps.
    public static func selects(_ name: String, metrics: [String]) -> Bool {
        guard !metrics.isEmpty else { return !name.hasSuffix("_bucket") && !name.hasSuffix("_created") }
        return metrics.contains { m in name == m || ["_sum", "_count", "_total"].contains { name == m + $0 } }
    }

    /// The chosen samples by version label (nil: no label), each keyed as the ledger records it.
    public static func group(_ samples: [PrometheusSample], metrics: [String]) -> [String?: [String: PrometheusSample]] {
        var out = [String?: [String: PrometheusSample]]()
        for s in samples where selects(s.name, metrics: metrics) {
            out[s.labels[versionLabel], default: [:]][s.key(excluding: [versionLabel])] = s
        }
        return out
    }
}
