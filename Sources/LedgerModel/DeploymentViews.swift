import LedgerProtocol

// Deployments, production metrics, rules and alerts as plain values (ids hex, times Unix ms), for the
// CLI's tables and `--json`, and the dashboard.

/// One stint of a version in an environment: who deployed it, when, why, and what it replaced.
public struct DeploymentView: Codable, Sendable, Equatable {
    public var event: String
    public var model: String
    public var environment: String
    public var version: String
    public var versionNumber: UInt64?
    public var rollback: Bool
    public var target: String?
    public var reason: String
    public var deployedBy: AuthorView
    public var since: Int64
    /// When the next deployment replaced it; nil while it serves.
    public var until: Int64?
    public var replaced: String?
    public var replacedNumber: UInt64?
    /// True when the next entry was a rollback away from it.
    public var rolledBack: Bool
    /// True while it serves (nothing replaced it yet).
    public var serving: Bool

    public init(
        event: String, model: String, environment: String, version: String, versionNumber: UInt64?, rollback: Bool, target: String?,
        reason: String, deployedBy: AuthorView, since: Int64, until: Int64?, replaced: String?, replacedNumber: UInt64?, rolledBack: Bool
    ) {
        self.event = event
        self.model = model
        self.environment = environment
        self.version = version
        self.versionNumber = versionNumber
        self.rollback = rollback
        self.target = target
        self.reason = reason
        self.deployedBy = deployedBy
        self.since = since
        self.until = until
        self.replaced = replaced
        self.replacedNumber = replacedNumber
        self.rolledBack = rolledBack
        serving = until == nil
    }
}

/// One production metric of one version in one environment: its summary and (downsampled) points.
public struct ProductionSeriesView: Codable, Sendable, Equatable {
    public var environment: String
    public var version: String
    public var versionNumber: UInt64?
    public var key: String
    public var count: Int
    public var min: Double?
    public var max: Double?
    public var mean: Double?
    public var last: Double?
    public var first: Int64
    public var lastTime: Int64
    /// The training value of the same key in the run that produced the version, when it logged one.
    public var training: Double?
    public var points: [MetricPoint]

    public init(
        environment: String, version: String, versionNumber: UInt64?, key: String, points: [MetricPoint], training: Double?,
        keepPoints: Int = 500
    ) {
        self.environment = environment
        self.version = version
        self.versionNumber = versionNumber
        self.key = key
        let sorted = points.sorted { ($0.timestamp, $0.step) < ($1.timestamp, $1.step) }
        let finite = sorted.map(\.value).filter(\.isFinite)
        count = sorted.count
        min = finite.min()
        max = finite.max()
        mean = finite.isEmpty ? nil : finite.reduce(0, +) / Double(finite.count)
        last = sorted.last?.value
        first = sorted.first?.timestamp ?? 0
        lastTime = sorted.last?.timestamp ?? 0
        self.training = training
        self.points = Downsampling.lttb(sorted, threshold: keepPoints)
    }
}

/// A rule in effect over production metrics.
public struct RuleView: Codable, Sendable, Equatable {
    public var id: String
    public var model: String
    public var modelName: String
    public var environment: String
    public var metric: String
    public var condition: String
    public var threshold: Double
    public var forMs: UInt64
    public var command: String?
    public var baseline: String?
    public var author: AuthorView
    public var createdAt: Int64
    /// What it watches, for people: "accuracy below 0.8 for 5m".
    public var text: String

    public init(
        id: String, model: String, modelName: String, environment: String, definition: MonitorRule.Definition, author: AuthorView, createdAt: Int64
    ) {
        self.id = id
        self.model = model
        self.modelName = modelName
        self.environment = environment
        metric = definition.metric
        condition = definition.condition.rawValue
        threshold = definition.threshold
        forMs = definition.forMs
        command = definition.command
        baseline = definition.baseline
        self.author = author
        self.createdAt = createdAt
        text = definition.text
    }

}

/// A fired rule with its evidence.
public struct AlertView: Codable, Sendable, Equatable {
    public var id: String
    public var rule: String
    public var model: String
    public var environment: String
    public var version: String
    public var versionNumber: UInt64?
    public var metric: String
    public var windowStart: Int64
    public var windowEnd: Int64
    public var count: Int
    public var baseline: Double?
    public var summary: String
    public var author: AuthorView
    public var at: Int64
    /// Runs that name this alert (tag `mledger.alert`): the retraining it started.
    public var runs: [String]

    public init(
        id: String, rule: String, model: String, environment: String, version: String, versionNumber: UInt64?, metric: String,
        windowStart: Int64, windowEnd: Int64, count: Int, baseline: Double?, summary: String, author: AuthorView, at: Int64, runs: [String]
    ) {
        self.id = id
        self.rule = rule
        self.model = model
        self.environment = environment
        self.version = version
        self.versionNumber = versionNumber
        self.metric = metric
        self.windowStart = windowStart
        self.windowEnd = windowEnd
        self.count = count
        self.baseline = baseline
        self.summary = summary
        self.author = author
        self.at = at
        self.runs = runs
    }
}
