import Foundation
import LedgerTestSupport
import Testing

@Suite struct WorkflowTests {
    @Test func logsPromotesAuditsAndVerifiesEndToEnd() throws {
        let cli = try CLI()
        let run = try cli.initWithRun()
        try cli.ok("run", "log-param", run, "lr=0.01", "epochs=3")
        try cli.ok("run", "log-metric", run, "loss", "0.5", "--step", "1")
        let lines = (2...200).map { "{\"key\":\"loss\",\"value\":\(1.0 / Double($0)),\"step\":\($0)}" }.joined(separator: "\n")
        let batchFile = cli.root.appendingPathComponent("m.jsonl")
        try lines.write(to: batchFile, atomically: true, encoding: .utf8)
        #expect(try cli.ok("run", "log-batch", run, "--file", batchFile.path).contains("Logged 199 points in 1 events"))
        try cli.ok("run", "log-batch", run, stdin: "{\"step\": 200, \"metrics\": {\"acc\": 0.97, \"f1\": \"nan\"}}\n")
        let weights = cli.workspace.appendingPathComponent("weights.bin")
        try Data((0..<5000).map { UInt8($0 % 251) }).write(to: weights)
        try cli.ok("run", "artifact", run, weights.path)
        try cli.ok("run", "tag", run, "dataset=v2")
        try cli.ok("run", "finish", run)

        let shown = try #require(try cli.json("run", "show", String(run.prefix(8)), "--history", "loss") as? [String: Any])
        let view = try #require(shown["run"] as? [String: Any])
        #expect(view["params"] as? [String: String] == ["lr": "0.01", "epochs": "3"])
        #expect(view["status"] as? String == "finished")
        let loss = try #require((view["metrics"] as? [String: Any])?["loss"] as? [String: Any])
        #expect(loss["count"] as? Int == 200)
        #expect((loss["last"] as? [String: Any])?["value"] as? Double == 1.0 / 200)
        #expect((shown["history"] as? [Any])?.count == 200)

        let second = try cli.ok("run", "start", "--experiment", "mnist", "--name", "wider").trimmingCharacters(in: .whitespacesAndNewlines)
        try cli.ok("run", "log-param", second, "lr=0.1", "epochs=3")
        let comparison = try #require(try cli.json("run", "compare", run, second) as? [String: Any])
        #expect(comparison["differingParams"] as? [String] == ["lr"])

        try cli.ok("model", "create", "digits")
        try cli.ok("model", "version", "create", "digits", "--run", run)
        try cli.ok("model", "version", "create", "digits", "--run", second, "--artifact", weights.path)
        try cli.ok("model", "promote", "digits", "1", "--to", "production", "--reason", "best holdout accuracy", "--evidence", "acc=0.97")
        try cli.ok("model", "promote", "digits", "v2", "--to", "production", "--reason", "wider is better")
        try cli.ok("model", "demote", "digits", "--from", "production", "--reason", "regression found")
        try cli.ok("model", "promote", "digits", "1", "--to", "production", "--reason", "roll back to v1")
        try cli.ok("comment", "add", "digits@1", "checked on holdout")

        let audit = try #require(try cli.json("audit", "digits") as? [String: Any])
        let entries = try #require(audit["entries"] as? [[String: Any]])
        let moves = entries.filter { ["promote", "demote"].contains($0["action"] as? String) }
        #expect(moves.map { $0["reason"] as? String } == ["best holdout accuracy", "wider is better", "regression found", "roll back to v1"])
        #expect(moves.map { $0["from"] as? [Int] } == [[], [1], [2], []])
        #expect(moves.map { $0["to"] as? Int } == [1, 2, nil, 1])
        #expect(moves.allSatisfy { $0["signatureVerified"] as? Bool == true })
        #expect((moves[0]["author"] as? [String: Any])?["name"] as? String == "Ada Tester")
        #expect(entries.contains { $0["action"] as? String == "comment" && $0["text"] as? String == "checked on holdout" })

        let out = cli.root.appendingPathComponent("serving")
        try cli.ok("model", "pull", "digits@v2", "--out", out.path)
        #expect(try Data(contentsOf: out.appendingPathComponent("weights.bin")) == Data(contentsOf: weights))

        #expect(try cli.ok("verify").contains("OK:"))
        let before = try #require(try cli.json("verify") as? [String: Any])["digest"] as? String
        let rebuilt = try #require(try cli.json("rebuild") as? [String: String])
        #expect(rebuilt["digest"] == before)
        #expect(rebuilt["digestBefore"] == before)
    }

    @Test func helpExplainsEveryCommand() throws {
        let cli = try CLI()
        for command in [["--help"], ["run", "--help"], ["run", "log-batch", "--help"], ["model", "promote", "--help"], ["verify", "--help"]] {
            let r = try cli.execute(command)
            #expect(r.ok)
            #expect(r.stdout.contains("USAGE") || r.stdout.contains("Usage"))
        }
        #expect(try cli.execute(["model", "promote", "--help"]).stdout.contains("--reason"))
    }
}
