import ArgumentParser
import Foundation
import LedgerModel
import LedgerProtocol
import LedgerStore

extension RunCommand {
    /// `mledger run --experiment NAME -- COMMAND...`: the default subcommand of `run`.
    struct Exec: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run a training command as a run, with an MLflow tracking URI for the mlflow client.",
            usage: "mledger run --experiment mnist -- python train.py --lr 0.01",
            discussion: """
                Starts a run (git commit and dirty flag, command line, host, environment fingerprint), makes \
                sure an MLflow-compatible endpoint serves this workspace (a running `mledger serve`, else one \
                in this process), and runs the command with MLFLOW_TRACKING_URI, MLFLOW_TRACKING_TOKEN, \
                MLFLOW_EXPERIMENT_NAME and MLFLOW_RUN_ID set, so `mlflow.start_run()` logs into this run. Its output streams through.

                When it ends, the run finishes with its status (failed on a non-zero exit, killed by a \
                signal), with its CPU time, peak memory and wall time as metrics (system/...), and mledger \
                exits with the command's status. SIGINT and SIGTERM are passed on to the command.
                """
        )
        @Option(help: "The experiment to log into (created if it does not exist).") var experiment: String
        @Option(help: "A name for the run (default: the command).") var name: String?
        @Argument(parsing: .postTerminator, help: "The command and its arguments, after --.") var command: [String] = []

        func validate() throws {
            guard !command.isEmpty else { throw ValidationError("give the command after --, e.g. mledger run --experiment mnist -- python train.py") }
        }

        func run() async throws {
            let session = try Session.open()
            let signer = try session.signer()
            let line = command.map(Shell.quoted).joined(separator: " ")
            let run = try RunStarter.start(session, signer: signer, experiment: experiment, name: name ?? line, command: line)
            let endpoint = try await TrackingEndpoint.acquire(session: session, signer: signer)
            var environment = ProcessInfo.processInfo.environment
            environment["MLFLOW_TRACKING_URI"] = endpoint.uri
            environment["MLFLOW_TRACKING_TOKEN"] = endpoint.token
            environment["MLFLOW_EXPERIMENT_NAME"] = experiment
            environment["MLFLOW_RUN_ID"] = run.hex
            let command = self.command
            let childEnvironment = environment
            let outcome: ChildProcess.Outcome
            do {
                outcome = try await onOwnThread { try ChildProcess.run(command, environment: childEnvironment) }
            } catch {
                // The command never ran: the run fails as a shell reports a missing command.
                try session.ledger.append(
                    try Ledger.Draft(RunFinish(run: run, status: .failed, endTime: Int64(wallClockMs()), exitCode: 127)), signer: signer)
                throw error
            }
            endpoint.stop()

            let status: RunStatus = outcome.signal != nil ? .killed : outcome.exitCode == 0 ? .finished : .failed
            let now = Int64(wallClockMs())
            try session.ledger.append(
                [
                    try Ledger.Draft(RunMetrics(run: run, series: SystemMetrics.series(outcome, at: now))),
                    try Ledger.Draft(RunFinish(run: run, status: status, endTime: now, exitCode: Int64(outcome.shellStatus))),
                ], signer: signer)
            let page = "/runs/\(run.hex)"
            let look =
                endpoint.isShared
                ? "dashboard: \(WorkspaceDashboard.link(uri: endpoint.uri, token: endpoint.token, page: page))"
                : "see it with `mledger ui --page \(page)`"
            FileHandle.standardError.write(Data("mledger: run \(run.short) \(status.rawValue) (exit \(outcome.shellStatus)); \(look)\n".utf8))
            if outcome.shellStatus != 0 { throw ExitCode(outcome.shellStatus) }
        }
    }
}

/// The child's resource use as metric series of the run.
enum SystemMetrics {
    static func series(_ o: ChildProcess.Outcome, at now: Int64) -> [String: [MetricPoint]] {
        func point(_ v: Double, step: Int64 = 0) -> MetricPoint { MetricPoint(step: step, timestamp: now, value: v) }
        var series = [
            "system/cpu_seconds": [point(o.cpuSeconds)],
            "system/peak_memory_mb": [point(o.peakMemoryMB)],
            "system/wall_seconds": [point(o.wallSeconds)],
        ]
        let start = now - Int64(o.wallSeconds * 1000)
        let samples = o.memorySamples.map { MetricPoint(step: Int64($0.0.rounded()), timestamp: start + Int64($0.0 * 1000), value: $0.1) }
        if !samples.isEmpty { series["system/memory_mb"] = samples }
        return series
    }
}
