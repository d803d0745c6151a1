import Foundation
import LedgerTestSupport
import Testing

/// `mledger import mlflow` against a real `mlflow server` (SQLite store) that the real client filled
/// (client/import/populate.py): everything reads back identically through `mledger ... --json` and,
/// through `mledger serve`, through the mlflow client; a second import adds nothing; an import killed
/// with SIGKILL and run again adds exactly what was missing.
@Suite(.serialized, .timeLimit(.minutes(30)))
struct ImportTests {
    static let bulkRuns = 30

    @Test func importedHistoryReadsBackIdenticallyAndResumesAfterKill() throws {
        let python = try MLflowVenv.required()
        let cli = try CLI()
        try cli.ok("init", "--team", "vision", "--name", "Ada Importer")
        let folder = cli.root.appendingPathComponent("mlflow-server")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let mlflow = try ServerProcess.mlflow(in: folder)
        defer { mlflow.stop() }
        let made = try script("populate.py", ["--bulk-runs", String(Self.bulkRuns), "--bulk-points", "2000"], server: mlflow, python: python)
        let total = (made["runs"] as? Int ?? 0) + 1  // and one deleted run

        // Killed part-way: the ledger holds some of the runs, and still verifies.
        let before = try killedImport(cli, mlflow.uri, atRuns: 8, total: total)
        #expect(before >= 8 && before < total, "the import was killed after \(before) of \(total) runs")
        try cli.ok("verify")

        // Run again: exactly the missing runs, each MLflow run once.
        let resumed = try #require(try cli.json("import", "mlflow", mlflow.uri) as? [String: Any])
        #expect(resumed["runs"] as? Int == total - before)
        #expect((resumed["skipped"] as? [Any])?.isEmpty == true)
        let runs = try #require(try cli.json("run", "list", "--include-deleted") as? [[String: Any]])
        let mlflowIDs = runs.compactMap { ($0["imported"] as? [String: Any])?["ids"] as? [String: String] }.compactMap { $0["run_id"] }
        #expect(runs.count == total && Set(mlflowIDs).count == total)

        // A second import finds nothing new.
        let again = try #require(try cli.json("import", "mlflow", mlflow.uri) as? [String: Any])
        #expect(again["events"] as? Int == 0)
        #expect(again["runsUnchanged"] as? Int == total)
        try cli.ok("verify")

        // Tags removed and set, a description rewritten in MLflow since: the next import carries each.
        _ = try script("change.py", [], server: mlflow, python: python)
        let changed = try #require(try cli.json("import", "mlflow", mlflow.uri) as? [String: Any])
        #expect(changed["tagsRemoved"] as? Int == 4 && changed["tags"] as? Int == 3 && changed["runsUpdated"] as? Int == 1)
        #expect((try cli.json("import", "mlflow", mlflow.uri) as? [String: Any])?["events"] as? Int == 0)

        try expectLedgerShows(cli, runs)
        // Through `mledger serve`, the mlflow client reads what it reads from the MLflow server.
        let theirs = try script("snapshot.py", [], server: mlflow, python: python)
        let serve = try ServerProcess.mledger(cli)
        defer { serve.stop() }
        let ours = try script("snapshot.py", [], server: serve, python: python)
        #expect(theirs["runs"] as? Int == total - 1)
        #expect(canonical(ours) == canonical(theirs))

        // The same store read as a local sqlite:/// URI (through a private mlflow server the import starts
        // and ends) gives the same history, with the store as its provenance.
        let local = try CLI()
        try local.ok("init", "--team", "vision", "--name", "Bo Local")
        var env = local.environment
        env["MLEDGER_MLFLOW"] = MLflowVenv.bin.appendingPathComponent("mlflow").path
        let store = "sqlite:///\(folder.path)/mlflow.db"
        let r = try execute(
            CLIProcess.binary.path,
            ["import", "mlflow", store, "--artifacts-destination", folder.appendingPathComponent("artifacts").path, "--json"],
            environment: env, in: local.workspace, seconds: 600)
        #expect(r.status == 0, "import of \(store) failed: \(r.stderr)")
        let summary = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any]
        #expect(summary?["runs"] as? Int == total && summary?["source"] as? String == store)
        let localServe = try ServerProcess.mledger(local)
        defer { localServe.stop() }
        #expect(canonical(try script("snapshot.py", [], server: localServe, python: python)) == canonical(theirs))
    }

    /// A local `mlruns/` folder that the mlflow client wrote with no server (MLflow's file store): the
    /// import reads it through a private mlflow server it starts and ends, and the client then reads the
    /// same history through `mledger serve` as it reads it from the folder itself.
    @Test func localMlrunsFolderImportsAsTheClientReadsIt() throws {
        let python = try MLflowVenv.required()
        let cli = try CLI()
        try cli.ok("init", "--team", "vision", "--name", "Ada Importer")
        let mlruns = cli.workspace.appendingPathComponent("mlruns")
        let store = ["MLFLOW_ALLOW_FILE_STORE": "true"]
        func local(_ name: String, _ arguments: [String] = []) throws -> [String: Any] {
            try ExampleRun.example(name, arguments, tracking: "file://" + mlruns.path, python: python, folder: "client/import", environment: store)
        }
        let made = try local("populate.py")
        let theirs = try local("snapshot.py")

        var env = cli.environment
        env["MLEDGER_MLFLOW"] = MLflowVenv.bin.appendingPathComponent("mlflow").path
        let r = try execute(CLIProcess.binary.path, ["import", "mlflow", "mlruns", "--json"], environment: env, in: cli.workspace, seconds: 600)
        #expect(r.status == 0, "import of mlruns/ failed: \(r.stderr)")
        let summary = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any]
        #expect(summary?["runs"] as? Int == (made["runs"] as? Int ?? 0) + 1 && summary?["source"] as? String == "file://" + mlruns.path)
        let serve = try ServerProcess.mledger(cli)
        defer { serve.stop() }
        #expect(canonical(try script("snapshot.py", [], server: serve, python: python)) == canonical(theirs))
    }

    /// Starts an import and kills it (SIGKILL) once the ledger holds `atRuns` runs; returns the runs it holds.
    func killedImport(_ cli: CLI, _ uri: String, atRuns: Int, total: Int) throws -> Int {
        let p = cli.process(["import", "mlflow", uri])
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        try p.run()
        var held = 0
        let deadline = Date().addingTimeInterval(300)
        while p.isRunning, Date() < deadline {
            held = (try? cli.json("run", "list", "--include-deleted") as? [Any])?.count ?? 0
            if held >= atRuns {
                kill(p.processIdentifier, SIGKILL)
                break
            }
            Thread.sleep(forTimeInterval: 0.05)
        }
        p.waitUntilExit()
        #expect(p.terminationReason == .uncaughtSignal, "the import ended before it could be killed")
        return (try cli.json("run", "list", "--include-deleted") as? [Any])?.count ?? 0
    }

    /// Values through `mledger ... --json`: a run with unicode, quotes and HTML, its full history, and the
    /// registry's stages and alias as the state at import in the audit trail.
    func expectLedgerShows(_ cli: CLI, _ runs: [[String: Any]]) throws {
        let tricky = "naïve \"quoted\" <b>bold</b> & 'single' 日本語 ✓"
        let run = try #require(runs.first { $0["name"] as? String == "run «\(tricky)»" })
        let id = try #require(run["id"] as? String)
        let show = try #require(try cli.json("run", "show", id, "--history", "loss") as? [String: Any])
        let detail = try #require(show["run"] as? [String: Any])
        #expect((detail["params"] as? [String: String])?["optimizer"] == tricky)
        #expect((detail["tags"] as? [String: String])?["owner"] == tricky)
        let user = (detail["tags"] as? [String: String])?["mlflow.user"]
        #expect(user != nil && (detail["imported"] as? [String: Any])?["user"] as? String == user)
        // Decoded exactly (JSONSerialization on Linux rounds some doubles in their last digit).
        struct Show: Decodable {
            struct Point: Decodable, Equatable {
                var step: Int64
                var value: Double
            }
            var history: [Point]
        }
        let raw = try cli.ok("run", "show", id, "--history", "loss", "--json")
        let history = try JSONDecoder().decode(Show.self, from: Data(raw.utf8)).history
        let expected: [Show.Point] = (0..<25).map { (i: Int) -> Show.Point in Show.Point(step: Int64(i), value: 1.0 / Double(i + 1)) }
        #expect(history == expected)
        #expect((detail["datasets"] as? [[String: Any]])?.first?["name"] as? String == "tiny «data»")

        let model = try #require(try cli.json("model", "show", "digits «ü» <v>") as? [String: Any])
        let versions = try #require(model["versions"] as? [[String: Any]])
        #expect(versions.map { $0["aliases"] as? [String] } == [[], ["champion", "staging"], ["production"]])
        #expect(versions.map { $0["archived"] as? Bool } == [true, false, false])
        let audit = try #require(try cli.json("audit", "digits «ü» <v>") as? [String: Any])
        let entries = try #require(audit["entries"] as? [[String: Any]])
        let promotions = entries.filter { $0["action"] as? String == "promote" }
        #expect(promotions.count == 3)
        for p in promotions {
            #expect((p["imported"] as? [String: Any])?["stateAtImport"] as? Bool == true)
            #expect((p["reason"] as? String)?.hasPrefix("state at import:") == true)
        }
        #expect(entries.allSatisfy { ($0["imported"] as? [String: Any])?["source"] is String })
    }

    func script(_ name: String, _ arguments: [String], server: ServerProcess, python: String) throws -> [String: Any] {
        try ExampleRun.example(name, arguments, server: server, python: python, folder: "client/import")
    }
}
