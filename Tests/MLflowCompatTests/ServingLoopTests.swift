import Foundation
import LedgerTestSupport
import Testing

/// The whole loop with real processes on 127.0.0.1: train, register, promote, deploy, serve
/// (client/serving/serve.py), traffic, scrape, degrade, the rule fires, its alert reaches a webhook
/// receiver written for MLflow (through the relay, signed as MLflow signs), the retraining logs and
/// promotes a new version, and the audit trail reads the chain with authors and reasons.
@Suite struct ServingLoopTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let serving = root.appendingPathComponent("client/serving")
    static let secret = "serving-loop-secret"

    /// Runs a program to completion in the workspace with the CLI's environment; returns its standard output.
    static func run(_ cli: CLI, _ executable: String, _ arguments: [String]) throws -> String {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: executable)
        p.arguments = arguments
        p.currentDirectoryURL = cli.workspace
        p.environment = cli.environment
        let out = Pipe()
        let err = Pipe()
        p.standardOutput = out
        p.standardError = err
        try p.run()
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        let errors = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        #expect(p.terminationStatus == 0, "\(executable) \(arguments.joined(separator: " ")) failed: \(errors)")
        return text
    }

    static func json(_ text: String) throws -> [String: Any] {
        try #require(
            try JSONSerialization.jsonObject(with: Data(text.split(separator: "\n").last.map(String.init)?.utf8 ?? "".utf8)) as? [String: Any])
    }

    @Test func aDegradedModelAlertsRetrainsAndIsReplacedWithTheWholeChainAudited() throws {
        let python = try Self.run(try CLI(), "/bin/bash", [Self.root.appendingPathComponent("scripts/serving-venv.sh").path])
            .trimmingCharacters(in: .whitespacesAndNewlines)
        let cli = try CLI()
        let mledger = CLI.binary.path
        try cli.ok("init", "--team", "vision", "--name", "Ada Tester")
        // A relay the ledger syncs with, delivering every lifecycle event to a receiver written for MLflow.
        let team = try #require(((try cli.json("audit") as? [String: Any])?["entries"] as? [[String: Any]])?.first?["event"] as? String)
        let relay = try RelayProcess(team: team)
        try cli.ok("remote", "add", "origin", relay.url)
        try cli.ok("sync")
        cli.extraEnvironment["HOOK_SECRET"] = Self.secret
        let receiver = try WebhookReceiver(folder: cli.root.appendingPathComponent("receiver"), secret: Self.secret)
        try cli.ok("webhook", "add", receiver.url, "--events", "*", "--secret-env", "HOOK_SECRET")

        // Train and register v1, promote it, deploy it.
        let run = try cli.ok("run", "start", "--experiment", "digits", "--name", "first").trimmingCharacters(in: .whitespacesAndNewlines)
        let trained = try Self.json(try Self.run(cli, python, [Self.serving.appendingPathComponent("train.py").path, "--out", "model.json"]))
        let accuracy = try #require(trained["accuracy"] as? Double)
        #expect(accuracy > 0.9)
        try cli.ok("run", "log-metric", run, "accuracy", String(accuracy))
        try cli.ok("run", "artifact", run, cli.workspace.appendingPathComponent("model.json").path)
        try cli.ok("run", "finish", run)
        try cli.ok("model", "create", "digits")
        try cli.ok("model", "version", "create", "digits", "--run", run)
        try cli.ok("model", "promote", "digits", "1", "--to", "production", "--reason", "holdout accuracy \(accuracy)")
        try cli.ok("deploy", "record", "digits@production", "--env", "production", "--target", "serve.py", "--reason", "first release")

        // Serve it and send traffic whose labels arrive later.
        let server = Process()
        server.executableURL = URL(fileURLWithPath: python)
        server.arguments = [
            "-c", ProcessGroup.unblockSignalsAndExec, python, "-u", Self.serving.appendingPathComponent("serve.py").path, "--model", "digits",
            "--mledger", mledger, "--port", "0", "--window", "20",
        ]
        server.currentDirectoryURL = cli.workspace
        server.environment = cli.environment
        let serverOut = Pipe()
        server.standardOutput = serverOut
        server.standardError = FileHandle.nullDevice
        let serverGroup = try ProcessGroup(starting: server)
        defer { serverGroup.end() }
        let (address, said) = ListeningLine.read(serverOut, seconds: 30)
        let base = "http://" + (try #require(address, "serve.py did not start: \(said)"))
        #expect(said.contains("serving digits v1"))
        let traffic = Self.serving.appendingPathComponent("traffic.py").path
        let healthy = try Self.json(try Self.run(cli, python, [traffic, "--url", base, "--count", "40"]))
        #expect(healthy["versions"] as? [String] == ["1"])
        #expect((healthy["rolling_accuracy"] as? Double ?? 0) >= 0.8)

        // A rule that retrains, and a scraper.
        let retrain = "MLEDGER='\(mledger)' PYTHON='\(python)' sh '\(Self.serving.appendingPathComponent("retrain.sh").path)' digits"
        try cli.ok(
            "monitor", "rule", "add", "digits", "--env", "production", "--metric", "rolling_accuracy", "--below", "0.6", "--for", "1s", "--then",
            "run", retrain)
        let scraper = cli.process([
            "monitor", "scrape", base + "/metrics", "--env", "production", "--every", "200ms", "--metrics", "rolling_accuracy,predictions",
        ])
        scraper.standardOutput = FileHandle.nullDevice
        scraper.standardError = FileHandle.nullDevice
        let scraperGroup = try ProcessGroup(starting: scraper)
        defer { scraperGroup.end() }
        #expect(try cli.ok("monitor", "watch", "--once", "--json").isEmpty)

        // The world changes: labels flip, production accuracy falls, the rule fires and retrains.
        let degraded = try Self.json(try Self.run(cli, python, [traffic, "--url", base, "--count", "40", "--flipped"]))
        #expect((degraded["rolling_accuracy"] as? Double ?? 1) <= 0.2)
        var fired = [String: Any]()
        let deadline = Date().addingTimeInterval(60)
        while fired.isEmpty && Date() < deadline {
            let out = try cli.ok("monitor", "watch", "--once", "--json")
            if !out.isEmpty { fired = try Self.json(out) } else { Thread.sleep(forTimeInterval: 0.3) }
        }
        #expect(fired["exitCode"] as? Int == 0, "the rule did not fire or its retraining failed: \(fired)")
        let alert = try #require(fired["alert"] as? String)
        try cli.ok("sync")
        let hooks = try receiver.wait(seconds: 60, "the alert webhook") { $0.contains { $0.eventID == alert } }
        let alerted = try #require(hooks.first { $0.eventID == alert })
        #expect(alerted.entity == "alert" && alerted.action == "fired" && alerted.verified && alerted.sameAsMLflow)
        #expect(hooks.contains { $0.entity == "deployment" && $0.action == "created" && $0.verified })

        // The retrained version was promoted; the app reloads it and is deployed again.
        try cli.ok(
            "deploy", "record", "digits@production", "--env", "production", "--target", "serve.py", "--reason",
            "retrained v2 after \(alert.prefix(12))")
        let recovered = try Self.json(try Self.run(cli, python, [traffic, "--url", base, "--count", "40", "--flipped", "--reload", "--seed", "9"]))
        #expect(recovered["versions"] as? [String] == ["2"])
        #expect((recovered["rolling_accuracy"] as? Double ?? 0) >= 0.8)

        // The audit trail reads the chain, with authors and reasons; the alert names its retraining run.
        let entries = try #require((try cli.json("audit", "digits") as? [String: Any])?["entries"] as? [[String: Any]])
        let chain = entries.compactMap { e -> String? in
            guard let action = e["action"] as? String, action != "rule.add" else { return nil }
            return "\(action) v\(e["to"] as? Int ?? 0)"
        }
        #expect(chain == ["version.create v1", "promote v1", "deploy v1", "alert v1", "retrain v0", "version.create v2", "promote v2", "deploy v2"])
        let promotion = try #require(entries.last { $0["action"] as? String == "promote" })
        #expect((promotion["reason"] as? String)?.contains(alert) == true)
        #expect((promotion["author"] as? [String: Any])?["name"] as? String == "Ada Tester")
        let alerts = try #require(try cli.json("monitor", "alerts", "digits") as? [[String: Any]])
        #expect(alerts.first?["runs"] as? [String] == [try #require(entries.first { $0["action"] as? String == "retrain" }?["event"] as? String)])
        let production = try #require(try cli.json("monitor", "show", "digits") as? [[String: Any]])
        #expect(
            production.contains { $0["key"] as? String == "rolling_accuracy" && $0["versionNumber"] as? Int == 1 && $0["training"] as? Double == nil }
        )
        #expect(production.contains { $0["key"] as? String == "predictions_total" && $0["versionNumber"] as? Int == 2 })
        #expect(try cli.ok("verify").contains("OK:"))
    }
}
