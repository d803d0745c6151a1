import LedgerProtocol
import Testing

@testable import LedgerModel

@Suite struct DeploymentsTests {
    func id(_ n: UInt8) -> LedgerID { Hashing.blake2b256([n]) }
    let author = PublicKey(bytes: [UInt8](repeating: 7, count: 32))!

    func entry(_ n: UInt8, env: String = "production", version: UInt8, rollback: Bool = false, at time: Int64) -> DeploymentEntry {
        DeploymentEntry(
            event: id(n), order: OrderKey(clock: UInt64(time) << 16, author: author, seq: UInt64(n), id: id(n)), environment: env,
            version: id(100 + version), rollback: rollback, reason: "reason \(n)", author: author, time: time)
    }

    @Test func eachDeploymentReplacesTheOneBeforeInMergeOrder() {
        let entries = [entry(2, version: 2, at: 200), entry(1, version: 1, at: 100), entry(3, env: "staging", version: 2, at: 150)]
        let t = Deployments.timelines(entries)
        let production = t["production"] ?? []
        #expect(production.map(\.entry.version) == [id(101), id(102)])
        #expect(production.map(\.replaced) == [nil, id(101)])
        #expect(production.map(\.until) == [200, nil])
        #expect(t["staging"]?.count == 1)
        #expect(Deployments.serving(at: 150, in: production)?.entry.version == id(101))
        #expect(Deployments.serving(at: 200, in: production)?.entry.version == id(102))
        #expect(Deployments.serving(at: 50, in: production) == nil)
    }

    @Test func aRollbackGoesBackPastVersionsThatWereRolledBack() {
        var entries = [entry(1, version: 1, at: 100), entry(2, version: 2, at: 200), entry(3, version: 3, at: 300)]
        #expect(Deployments.rollbackTarget(Deployments.timelines(entries)["production"] ?? []) == id(102))
        entries.append(entry(4, version: 2, rollback: true, at: 400))
        let stints = Deployments.timelines(entries)["production"] ?? []
        #expect(stints[2].rolledBack)
        #expect(!stints[1].rolledBack)
        #expect(Deployments.rollbackTarget(stints) == id(101))
        #expect(Deployments.rollbackTarget(Array(stints.prefix(1))) == nil)
    }
}

@Suite struct RuleCheckTests {
    func points(_ values: [Double], every ms: Int64 = 10_000) -> [MetricPoint] {
        values.enumerated().map { MetricPoint(step: Int64($0.offset), timestamp: Int64($0.offset) * ms, value: $0.element) }
    }

    @Test func belowFiresOnlyWhenEveryPointOfTheDurationBreaksIt() {
        let rule = MonitorRule.Definition(metric: "accuracy", condition: .below, threshold: 0.8, forMs: 30_000)
        // Below for 20 s only: no firing.
        #expect(RuleCheck.firingWindow(points([0.9, 0.7, 0.7, 0.7]), rule, baseline: nil) == nil)
        // Below for 30 s: fires with the four breaking points as evidence.
        let window = RuleCheck.firingWindow(points([0.9, 0.7, 0.7, 0.7, 0.6]), rule, baseline: nil)
        #expect(window?.map(\.value) == [0.7, 0.7, 0.7, 0.6])
        // A recovery at the end clears it; a NaN breaks nothing.
        #expect(RuleCheck.firingWindow(points([0.7, 0.7, 0.7, 0.7, 0.9]), rule, baseline: nil) == nil)
        #expect(RuleCheck.firingWindow(points([0.7, 0.7, .nan, 0.7]), rule, baseline: nil) == nil)
        // Order of arrival does not matter.
        #expect(RuleCheck.firingWindow(points([0.9, 0.7, 0.7, 0.7, 0.6]).reversed(), rule, baseline: nil)?.count == 4)
    }

    @Test func aboveWithNoDurationFiresOnOnePoint() {
        let rule = MonitorRule.Definition(metric: "latency", condition: .above, threshold: 0.5, forMs: 0)
        #expect(RuleCheck.firingWindow(points([0.1, 0.6]), rule, baseline: nil)?.count == 1)
        #expect(RuleCheck.firingWindow(points([0.6, 0.1]), rule, baseline: nil) == nil)
        #expect(RuleCheck.firingWindow([], rule, baseline: nil) == nil)
    }

    @Test func driftIsMeasuredInPercentOfTheTrainingValue() {
        let rule = MonitorRule.Definition(metric: "accuracy", condition: .drift, threshold: 10, forMs: 10_000)
        #expect(RuleCheck.firingWindow(points([0.95, 0.85, 0.84]), rule, baseline: 0.95)?.count == 2)
        #expect(RuleCheck.firingWindow(points([0.95, 0.9, 0.88]), rule, baseline: 0.95) == nil)
        #expect(RuleCheck.firingWindow(points([0.1, 0.1]), rule, baseline: nil) == nil)
        #expect(RuleCheck.driftPercent(1, from: 0) == .infinity)
        #expect(RuleCheck.driftPercent(0, from: 0) == 0)
    }

    @Test func summariesSayWhatBrokeAndForHowLong() {
        let rule = MonitorRule.Definition(metric: "accuracy", condition: .below, threshold: 0.8, forMs: 0)
        let text = RuleCheck.summary(metric: "accuracy", rule, window: points([0.7, 0.6, 0.65], every: 30_000), baseline: nil)
        #expect(text == "accuracy below 0.8 for 1m (3 points, 0.6…0.7)")
    }

    @Test func checksLookBackADayOrTwiceTheDurationAtMost() {
        let rule = MonitorRule.Definition(metric: "accuracy", condition: .below, threshold: 0.8, forMs: 60_000)
        let day: Int64 = 86_400_000
        #expect(RuleCheck.lookbackStart(stint: 5, now: 1000, rule) == 5)
        #expect(RuleCheck.lookbackStart(stint: 5, now: 10 * day, rule) == 9 * day)
        let long = MonitorRule.Definition(metric: "accuracy", condition: .below, threshold: 0.8, forMs: UInt64(day))
        #expect(RuleCheck.lookbackStart(stint: 0, now: 10 * day, long) == 8 * day)
    }

    @Test func durationsParseAndPrint() {
        #expect(DurationText.parse("30s") == 30_000)
        #expect(DurationText.parse("250ms") == 250)
        #expect(DurationText.parse("5m") == 300_000)
        #expect(DurationText.parse("1h") == 3_600_000)
        #expect(DurationText.parse("2d") == 172_800_000)
        for bad in ["", "s", "5", "-5s", "1.5s", "5x", "99999999999999999999d"] { #expect(DurationText.parse(bad) == nil) }
        #expect(DurationText.text(ms: 90_000) == "90s")
        #expect(DurationText.text(ms: 1500) == "1500ms")
        #expect(DurationText.text(ms: 0) == "0s")
    }
}
