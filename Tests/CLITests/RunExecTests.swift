import Foundation
import LedgerTestSupport
import Testing

/// `mledger run --experiment NAME -- COMMAND`: the run's status follows the command's.
@Suite struct RunExecTests {
    func onlyRun(_ cli: CLI, _ experiment: String) throws -> [String: Any] {
        let runs = try cli.json("run", "list", "--experiment", experiment) as? [[String: Any]] ?? []
        #expect(runs.count == 1)
        return runs.first ?? [:]
    }

    @Test func childSeesItsRunAndTrackingURI() throws {
        let cli = try CLI()
        try cli.ok("init", "--team", "vision", "--name", "Ada Tester")
        let r = try cli.run("run", "--experiment", "env", "--", "sh", "-c", "echo $MLFLOW_RUN_ID $MLFLOW_EXPERIMENT_NAME $MLFLOW_TRACKING_URI")
        #expect(r.ok, "\(r.stderr)")
        let run = try onlyRun(cli, "env")
        let words = r.stdout.split(separator: " ").map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
        #expect(words.count == 3)
        #expect(words.first == run["id"] as? String)
        #expect(words.dropFirst().first == "env")
        #expect(words.last?.hasPrefix("http://127.0.0.1:") == true)
        #expect(run["status"] as? String == "finished")
        #expect(run["exitCode"] as? Int == 0)
        #expect(run["command"] as? String == "sh -c 'echo $MLFLOW_RUN_ID $MLFLOW_EXPERIMENT_NAME $MLFLOW_TRACKING_URI'")
        #expect(run["environment"] as? String != nil && run["host"] as? String != nil)
        // Other run subcommands still work beside the default one.
        #expect(try cli.ok("run", "list").contains("env"))
    }

    @Test func failingCommandFailsTheRunWithItsStatus() throws {
        let cli = try CLI()
        try cli.ok("init", "--team", "vision", "--name", "Ada Tester")
        let r = try cli.run("run", "--experiment", "fail", "--", "sh", "-c", "echo partial; exit 3")
        #expect(r.status == 3)
        #expect(r.stdout.contains("partial"))
        let run = try onlyRun(cli, "fail")
        #expect(run["status"] as? String == "failed")
        #expect(run["exitCode"] as? Int == 3)
        let metrics = run["metrics"] as? [String: Any] ?? [:]
        #expect(metrics["system/wall_seconds"] != nil && metrics["system/cpu_seconds"] != nil)
    }

    @Test func signalledCommandIsKilled() throws {
        let cli = try CLI()
        try cli.ok("init", "--team", "vision", "--name", "Ada Tester")
        let r = try cli.run("run", "--experiment", "sig", "--", "sh", "-c", "kill -TERM $$")
        #expect(r.status == 128 + SIGTERM)
        #expect(try onlyRun(cli, "sig")["status"] as? String == "killed")
    }

    @Test func sigtermIsPassedToTheCommand() throws {
        let cli = try CLI()
        try cli.ok("init", "--team", "vision", "--name", "Ada Tester")
        let p = cli.process(["run", "--experiment", "stop", "--", "sleep", "60"])
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        try p.run()
        // Wait until the run is recorded (the child is about to start), then stop mledger.
        let deadline = Date().addingTimeInterval(20)
        while Date() < deadline, !(try cli.run("run", "list").stdout.contains("stop")) {
            Thread.sleep(forTimeInterval: 0.2)
        }
        Thread.sleep(forTimeInterval: 0.5)
        kill(p.processIdentifier, SIGTERM)
        let stopBy = Date().addingTimeInterval(20)
        while p.isRunning, Date() < stopBy { Thread.sleep(forTimeInterval: 0.1) }
        #expect(!p.isRunning, "mledger run did not stop after SIGTERM")
        if p.isRunning { kill(p.processIdentifier, SIGKILL) }
        p.waitUntilExit()
        #expect(p.terminationStatus == 128 + SIGTERM)
        #expect(try onlyRun(cli, "stop")["status"] as? String == "killed")
    }

    @Test func missingCommandIsRefused() throws {
        let cli = try CLI()
        try cli.ok("init", "--team", "vision", "--name", "Ada Tester")
        let r = try cli.run("run", "--experiment", "none")
        #expect(!r.ok)
        #expect(r.stderr.contains("give the command after --"))
        let bad = try cli.run("run", "--experiment", "none", "--", "no-such-program-xyz")
        #expect(!bad.ok)
        #expect(bad.stderr.contains("cannot run no-such-program-xyz"))
    }
}
