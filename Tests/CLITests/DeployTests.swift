import Foundation
import LedgerTestSupport
import Testing

/// `mledger deploy` and `mledger monitor` on the real binary: timelines, rollbacks, rules that fire once
/// and start a retraining that links back, and refused input that changes nothing.
@Suite struct DeployTests {
    /// A workspace with model digits v1 (from a run that logged accuracy 0.95) and v2, v1 promoted to production.
    func registry() throws -> CLI {
        let cli = try CLI()
        let run = try cli.initWithRun()
        try cli.ok("run", "log-metric", run, "accuracy", "0.95")
        try cli.ok("model", "create", "digits")
        try cli.ok("model", "version", "create", "digits", "--run", run)
        try cli.ok("model", "version", "create", "digits", "--run", run)
        try cli.ok("model", "promote", "digits", "1", "--to", "production", "--reason", "best holdout accuracy")
        return cli
    }

    @Test func deploymentsFormATimelineWithRollbacks() throws {
        let cli = try registry()
        let nothing = try cli.eventCount()
        for bad in [
            ["deploy", "rollback", "digits", "--env", "production", "--reason", "nothing deployed yet"],
            ["deploy", "record", "digits@staging", "--env", "production", "--reason", "no such alias or version"],
            ["deploy", "record", "digits", "7", "--env", "production", "--reason", "no such version"],
            ["deploy", "record", "digits@production", "--env", "production", "--reason", "  "],
            ["deploy", "record", "digits@production", "2", "--env", "production", "--reason", "two versions"],
        ] {
            let r = try cli.execute(bad)
            #expect(!r.ok, "\(bad) should fail")
            #expect(!r.stderr.isEmpty)
        }
        #expect(try cli.eventCount() == nothing)

        #expect(
            try cli.ok("deploy", "record", "digits@production", "--env", "production", "--target", "k8s/eu", "--reason", "v1 rolled out")
                .contains("v1 serves in production"))
        #expect(try cli.ok("deploy", "record", "digits", "v2", "--env", "production", "--reason", "v2 canary passed").contains("(replaces v1)"))
        try cli.ok("deploy", "record", "digits", "2", "--env", "staging", "--reason", "try v2")
        let refusedRollback = try cli.execute(["deploy", "rollback", "digits", "--env", "staging", "--reason", "nothing before"])
        #expect(refusedRollback.stderr.contains("nothing served in staging before"))
        #expect(try cli.ok("deploy", "rollback", "digits", "--env", "production", "--reason", "latency doubled").contains("v2 -> v1"))

        let timeline = try #require(try cli.json("deploy", "list", "digits", "--env", "production") as? [[String: Any]]).compactMap {
            $0["deployment"] as? [String: Any]
        }
        #expect((try cli.json("deploy", "list") as? [Any])?.count == 4)
        #expect(timeline.map { $0["versionNumber"] as? Int } == [1, 2, 1])
        #expect(timeline.map { $0["replacedNumber"] as? Int } == [nil, 1, 2])
        #expect(timeline.map { $0["rollback"] as? Bool } == [false, false, true])
        #expect(timeline.map { $0["rolledBack"] as? Bool } == [false, true, false])
        #expect(timeline.map { $0["serving"] as? Bool } == [false, false, true])
        #expect(timeline[0]["target"] as? String == "k8s/eu")
        #expect((timeline[2]["deployedBy"] as? [String: Any])?["name"] as? String == "Ada Tester")

        let status = try #require(try cli.json("deploy", "status") as? [[String: Any]])
        #expect(status.compactMap { ($0["deployment"] as? [String: Any])?["environment"] as? String } == ["production", "staging"])
        #expect(status.compactMap { ($0["deployment"] as? [String: Any])?["versionNumber"] as? Int } == [1, 2])
        let shown = try #require(try cli.json("model", "show", "digits") as? [String: Any])
        #expect((shown["deployments"] as? [Any])?.count == 4)
        #expect((shown["versions"] as? [Any])?.count == 2)

        let entries = try #require((try cli.json("audit", "digits") as? [String: Any])?["entries"] as? [[String: Any]])
        let moves = entries.filter { ["deploy", "rollback"].contains($0["action"] as? String) }
        #expect(moves.map { $0["environment"] as? String } == ["production", "production", "staging", "production"])
        #expect(moves.map { $0["reason"] as? String } == ["v1 rolled out", "v2 canary passed", "try v2", "latency doubled"])
        #expect(moves.map { $0["from"] as? [Int] } == [[], [1], [], [2]])
        #expect(moves.allSatisfy { $0["authorized"] as? Bool == true && $0["signatureVerified"] as? Bool == true })
        #expect(try cli.ok("verify").contains("OK:"))
    }

    @Test func aRuleFiresOnceWithItsEvidenceAndItsRetrainingLinksBack() throws {
        let cli = try registry()
        try cli.ok("deploy", "record", "digits@production", "--env", "production", "--reason", "v1 rolled out")
        let before = try cli.eventCount()
        for bad in [
            ["monitor", "rule", "add", "digits", "--env", "production", "--metric", "accuracy", "--below", "0.8", "--above", "0.9"],
            ["monitor", "rule", "add", "digits", "--env", "production", "--metric", "accuracy", "--below", "0.8", "--for", "5 minutes"],
            ["monitor", "rule", "add", "digits", "--env", "production", "--metric", "accuracy", "--below", "0.8", "--then", "page"],
            ["monitor", "log", "--env", "production", "accuracy=high"],
            ["monitor", "log", "--env", "nowhere", "accuracy=0.5"],
        ] {
            #expect(!(try cli.execute(bad)).ok, "\(bad) should fail")
        }
        #expect(try cli.eventCount() == before)

        let retrain = "\(CLI.binary.path) run start --experiment retraining --name from-alert"
        try cli.ok(
            "monitor", "rule", "add", "digits", "--env", "production", "--metric", "accuracy", "--below", "0.8", "--for", "1m", "--then", "run",
            retrain)
        try cli.ok("monitor", "rule", "add", "digits", "--env", "production", "--metric", "accuracy", "--drift-from-training", "50", "--for", "0s")
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        // Healthy, then below 0.8 for 50 s: not yet a minute.
        for (offset, value) in [(0, 0.93), (10, 0.79), (30, 0.75), (60, 0.7)] {
            try cli.ok("monitor", "log", "--env", "production", "accuracy=\(value)", "--timestamp", String(now + Int64(offset) * 1000))
        }
        #expect(try cli.ok("monitor", "watch", "--once", "--json").isEmpty)
        try cli.ok("monitor", "log", "--env", "production", "accuracy=0.71", "--timestamp", String(now + 70_000))
        let fired = try cli.ok("monitor", "watch", "--once", "--json").split(separator: "\n")
            .compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        #expect(fired.count == 1)
        #expect(fired.first?["exitCode"] as? Int == 0)
        #expect((fired.first?["summary"] as? String)?.hasPrefix("accuracy below 0.8 for 1m (4 points") == true)
        // The same breach is not alerted twice, and the drift rule (50% of 0.95) never broke.
        #expect(try cli.ok("monitor", "watch", "--once", "--json").isEmpty)

        let alerts = try #require(try cli.json("monitor", "alerts", "digits") as? [[String: Any]])
        #expect(alerts.count == 1)
        #expect(alerts.first?["count"] as? Int == 4)
        #expect(alerts.first?["windowEnd"] as? Int == Int(now + 70_000))
        #expect(alerts.first?["versionNumber"] as? Int == 1)
        let runs = try #require(alerts.first?["runs"] as? [String])
        #expect(runs.count == 1)
        let run = try #require(try cli.json("run", "show", runs[0]) as? [String: Any])
        #expect(((run["run"] as? [String: Any])?["tags"] as? [String: String])?["mledger.alert"] == alerts.first?["id"] as? String)

        let production = try #require(try cli.json("monitor", "show", "digits") as? [[String: Any]])
        #expect(production.first?["count"] as? Int == 5)
        #expect(production.first?["training"] as? Double == 0.95)
        let actions = try #require((try cli.json("audit", "digits") as? [String: Any])?["entries"] as? [[String: Any]]).compactMap {
            $0["action"] as? String
        }
        #expect(actions.suffix(5) == ["deploy", "rule.add", "rule.add", "alert", "retrain"])

        let rules = try #require(try cli.json("monitor", "rule", "list") as? [[String: Any]])
        let drift = try #require(rules.first { $0["condition"] as? String == "drift" }?["id"] as? String)
        try cli.ok("monitor", "rule", "remove", String(drift.prefix(10)))
        #expect((try cli.json("monitor", "rule", "list") as? [Any])?.count == 1)
        #expect(try cli.ok("verify").contains("OK:"))
    }
}
