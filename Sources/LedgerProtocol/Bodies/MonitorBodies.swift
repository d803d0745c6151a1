/// Production metric points of a deployed model version in an environment (scraped or pushed), packed
/// as `run.metrics` packs them.
public struct MonitorPoints: BodyFields {
    public static let kind = EventKind.monitorPoints
    public var model: LedgerID
    public var environment: String
    public var version: LedgerID
    public var series: [String: [MetricPoint]]
    /// Where the values came from: a scraped URL, or a job's name.
    public var source: String?
    public init(model: LedgerID, environment: String, version: LedgerID, series: [String: [MetricPoint]], source: String? = nil) {
        self.model = model
        self.environment = environment.nfc
        self.version = version
        self.series = series.nfcKeys
        self.source = source
    }
    public init(fields f: Fields) throws(EventError) {
        model = try f.id("model")
        environment = try f.identifier("environment", maxLength: 64)
        version = try f.id("version")
        series = try f.series("series")
        source = try f.optionalText("source", maxLength: 2048)
    }
    public var cbor: [String: CBOR] {
        var m: [String: CBOR] = [
            "model": .bytes(model.bytes), "environment": .text(environment), "version": .bytes(version.bytes),
            "series": .map(series.mapValues { .bytes(MetricPoint.pack($0)) }),
        ]
        m.set("source", source.map(CBOR.text))
        return m
    }
}

/// What a rule compares a production metric with.
public enum RuleCondition: String, Sendable, CaseIterable, Codable {
    /// Every value below the threshold.
    case below
    /// Every value above the threshold.
    case above
    /// Every value further than `threshold` percent from the training value of the version's run.
    case drift
}

/// A monitoring rule, added or removed. An added rule's id is this event's id; a removal names it in `remove`.
public struct MonitorRule: BodyFields {
    public static let kind = EventKind.monitorRule
    /// What an added rule watches and does.
    public struct Definition: Sendable, Equatable {
        public var metric: String
        public var condition: RuleCondition
        public var threshold: Double
        /// How long (ms) every point must break the rule before it fires; 0 fires on one point.
        public var forMs: UInt64
        /// The command to start when it fires; nil only writes the alert.
        public var command: String?
        /// The training metric a drift is measured from, when not `metric` itself.
        public var baseline: String?
        public init(
            metric: String, condition: RuleCondition, threshold: Double, forMs: UInt64, command: String? = nil, baseline: String? = nil
        ) {
            self.metric = metric.nfc
            self.condition = condition
            self.threshold = threshold
            self.forMs = forMs
            self.command = command
            self.baseline = baseline?.nfc
        }
    }

    public var model: LedgerID
    public var environment: String
    /// Set for an added rule.
    public var definition: Definition?
    /// Set for a removal: the rule (its `monitor.rule` event id) it removes.
    public var remove: LedgerID?

    public init(model: LedgerID, environment: String, definition: Definition) {
        self.model = model
        self.environment = environment.nfc
        self.definition = definition
    }
    public init(model: LedgerID, environment: String, remove: LedgerID) {
        self.model = model
        self.environment = environment.nfc
        self.remove = remove
    }
    public init(fields f: Fields) throws(EventError) {
        model = try f.id("model")
        environment = try f.identifier("environment", maxLength: 64)
        remove = try f.optionalID("remove")
        guard remove == nil else {
            for key in ["metric", "condition", "threshold", "for_ms", "command", "baseline"] where f.optional(key) != nil {
                throw f.fail("a removal carries no '\(key)'")
            }
            return
        }
        guard let condition = RuleCondition(rawValue: try f.text("condition")) else { throw f.fail("'condition' must be below, above or drift") }
        let threshold = try f.double("threshold")
        guard threshold.isFinite else { throw f.fail("'threshold' must be finite") }
        if condition == .drift && threshold < 0 { throw f.fail("a drift 'threshold' is a percentage, not negative") }
        let baseline = try f.optionalText("baseline", maxLength: 250)
        if baseline != nil && condition != .drift { throw f.fail("'baseline' is for drift rules only") }
        definition = Definition(
            metric: try f.nfc(f.text("metric", maxLength: 250), "metric"), condition: condition, threshold: threshold,
            forMs: try f.unsigned("for_ms"), command: try f.optionalMeaningfulText("command", maxLength: 8192),
            baseline: try baseline.map { s throws(EventError) in try f.nfc(f.checked(s, "baseline", maxLength: 250, allowEmpty: false), "baseline") })
    }
    public var cbor: [String: CBOR] {
        var m: [String: CBOR] = ["model": .bytes(model.bytes), "environment": .text(environment)]
        m.set("remove", remove.map { .bytes($0.bytes) })
        if let d = definition {
            m["metric"] = .text(d.metric)
            m["condition"] = .text(d.condition.rawValue)
            m["threshold"] = .double(d.threshold)
            m["for_ms"] = .unsigned(d.forMs)
            m.set("command", d.command.map(CBOR.text))
            m.set("baseline", d.baseline.map(CBOR.text))
        }
        return m
    }
}

/// A rule fired: the version that broke it and the evidence (the window and its points).
public struct MonitorAlert: BodyFields {
    public static let kind = EventKind.monitorAlert
    public static let maxPoints = 4096
    public var rule: LedgerID
    public var model: LedgerID
    public var environment: String
    public var version: LedgerID
    public var metric: String
    /// The points of the window, every one breaking the rule (at most `maxPoints`, the latest).
    public var points: [MetricPoint]
    /// The training value a drift was measured from.
    public var baseline: Double?
    public var summary: String
    public init(
        rule: LedgerID, model: LedgerID, environment: String, version: LedgerID, metric: String, points: [MetricPoint],
        baseline: Double? = nil, summary: String
    ) {
        self.rule = rule
        self.model = model
        self.environment = environment.nfc
        self.version = version
        self.metric = metric.nfc
        self.points = Array(points.suffix(Self.maxPoints))
        self.baseline = baseline
        self.summary = summary
    }
    public init(fields f: Fields) throws(EventError) {
        rule = try f.id("rule")
        model = try f.id("model")
        environment = try f.identifier("environment", maxLength: 64)
        version = try f.id("version")
        metric = try f.nfc(f.text("metric", maxLength: 250), "metric")
        guard case .bytes(let packed) = try f.required("points"), let points = MetricPoint.unpack(packed), !points.isEmpty,
            points.count <= Self.maxPoints
        else { throw f.fail("'points' must hold 1 to \(Self.maxPoints) packed points") }
        self.points = points
        baseline = try f.optionalDouble("baseline")
        summary = try f.meaningfulText("summary", maxLength: 4096)
    }
    public var cbor: [String: CBOR] {
        var m: [String: CBOR] = [
            "rule": .bytes(rule.bytes), "model": .bytes(model.bytes), "environment": .text(environment), "version": .bytes(version.bytes),
            "metric": .text(metric), "points": .bytes(MetricPoint.pack(points)), "summary": .text(summary),
        ]
        m.set("baseline", baseline.map(CBOR.double))
        return m
    }
}
