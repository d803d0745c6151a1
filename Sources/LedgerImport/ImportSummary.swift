/// What an import did (or, with --dry-run, would do): counts of what it brought in, what it had to leave
/// out and why, and how fast it went. `--json` prints it.
public struct ImportSummary: Codable, Sendable, Equatable {
    public var source = ""
    public var dryRun = false
    public var experiments = 0
    public var runs = 0
    /// Runs imported before that changed since (new points, tags, a status).
    public var runsUpdated = 0
    public var runsUnchanged = 0
    public var params = 0
    public var tags = 0
    /// Tags an earlier import brought that the source no longer has.
    public var tagsRemoved = 0
    public var metricPoints = 0
    public var artifacts = 0
    public var artifactBytes: UInt64 = 0
    public var datasets = 0
    public var loggedModels = 0
    public var registeredModels = 0
    public var versions = 0
    /// Stages and aliases set as the source held them at import (not a history).
    public var aliases = 0
    public var archived = 0
    public var deleted = 0
    public var events = 0
    /// Values the ledger cannot hold as they are (too long, not a valid name), each with what was left out.
    public var skipped = [String]()
    public var seconds = 0.0

    public var runsPerSecond = 0.0
    public var pointsPerSecond = 0.0

    public init() {}

    /// Sets the duration and the rates that follow from it.
    mutating func finish(seconds: Double) {
        self.seconds = seconds
        runsPerSecond = seconds > 0 ? Double(runs + runsUpdated + runsUnchanged) / seconds : 0
        pointsPerSecond = seconds > 0 ? Double(metricPoints) / seconds : 0
    }
}
