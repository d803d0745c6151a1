import Foundation
import LedgerModel
import LedgerProtocol
import Testing

@testable import LedgerWeb

/// The model page's deployment section: an environment timeline, production metrics per version beside the
/// training value, alerts linking their retraining runs; every text escaped.
@Suite struct DeploymentSectionTests {
    static let hostile = "<script>alert(1)</script>"

    func stint(_ n: UInt64, since: Int64, until: Int64?, replaced: UInt64?, rollback: Bool = false) -> DeploymentView {
        DeploymentView(
            event: String(repeating: "a", count: 64), model: String(repeating: "b", count: 64), environment: "production",
            version: String(repeating: Character(String(n)), count: 64), versionNumber: n, rollback: rollback, target: Self.hostile,
            reason: "why \(n) \(Self.hostile)", deployedBy: AuthorView(key: SigningKey.generate().publicKey, name: Self.hostile), since: since,
            until: until, replaced: replaced.map { String(repeating: Character(String($0)), count: 64) }, replacedNumber: replaced,
            rolledBack: false)
    }

    @Test func rendersTheTimelineMetricsAndAlertsEscaped() {
        let stints = [
            stint(1, since: 1000, until: 5000, replaced: nil), stint(2, since: 5000, until: 8000, replaced: 1),
            stint(1, since: 8000, until: nil, replaced: 2, rollback: true),
        ]
        let points = (0..<10).map { MetricPoint(step: Int64($0), timestamp: 9000 + Int64($0) * 100, value: 0.9 - 0.05 * Double($0)) }
        let production = [
            ProductionSeriesView(
                environment: "production", version: stints[0].version, versionNumber: 1, key: "rolling_accuracy", points: points, training: 0.97)
        ]
        let alert = AlertView(
            id: String(repeating: "c", count: 64), rule: String(repeating: "d", count: 64), model: stints[0].model, environment: "production",
            version: stints[0].version, versionNumber: 1, metric: "rolling_accuracy", windowStart: 9500, windowEnd: 9900, count: 5, baseline: nil,
            summary: "rolling_accuracy below 0.7 \(Self.hostile)", author: stints[0].deployedBy, at: 9950, runs: [String(repeating: "e", count: 64)])
        let html = DeploymentSection.render(stints, production: production, alerts: [alert]).markup
        #expect(!html.contains("<script"))
        #expect(html.contains("&lt;script&gt;"))
        let timeline = html.components(separatedBy: "class=\"env-timeline\"").last?.components(separatedBy: "</svg>").first ?? ""
        #expect(timeline.components(separatedBy: "<rect").count - 1 == 3)
        #expect(html.contains("ROLLBACK") && html.contains("SERVING"))
        #expect(html.contains("<h2>Production metrics by version</h2>"))
        #expect(html.contains(">0.97<"))
        #expect(html.contains(Links.run(String(repeating: "e", count: 64))))
        #expect(DeploymentSection.render([], production: [], alerts: []).markup.isEmpty)
    }
}
