import ArgumentParser
import Foundation
import LedgerModel
import LedgerProtocol
import LedgerStore

extension MonitorCommand {
    struct Watch: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Evaluate the rules as production points arrive; sign alerts and start their commands.",
            usage: "mledger monitor watch --every 10s",
            discussion: """
                Each firing writes a signed monitor.alert with the evidence (the breaking points and their window). \
                A rule added with `--then run COMMAND` then starts COMMAND through /bin/sh in this folder with \
                MLEDGER_ALERT (the alert's id), MLEDGER_ALERT_MODEL, MLEDGER_ALERT_ENV, MLEDGER_ALERT_VERSION and \
                MLEDGER_ALERT_SUMMARY set, and waits for it; a run started by `mledger run` inside it is tagged \
                mledger.alert, so the audit trail links the retraining to the alert. Commands of rules another member \
                signed are started only with --run-team-rules (a watcher runs what it trusts); their alerts are signed \
                either way. --json prints one line per alert.
                """)
        @Option(help: "Time between checks: 10s, 1m, 500ms.") var every = "10s"
        @Option(help: "Only this model's rules.") var model: String?
        @Flag(help: "Check once and exit.") var once = false
        @Flag(name: .customLong("no-run"), help: "Sign alerts but start no command.") var noRun = false
        @Flag(
            name: .customLong("run-team-rules"),
            help: "Also start the commands of rules other members signed (default: only rules this identity signed).")
        var runTeamRules = false
        @OptionGroup var output: OutputOptions

        func run() async throws {
            guard let interval = DurationText.parse(every), interval > 0 else {
                throw ValidationError("--every '\(every)' is not a duration such as 10s")
            }
            let session = try Session.open()
            let watcher = Watcher(session: session, signer: try session.signer(), model: try model.map { try session.ledger.modelID(named: $0) })
            let directory = URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
            while true {
                let started = ContinuousClock.now
                for (var fired, _) in try watcher.check() {
                    if let command = fired.command, !noRun, runTeamRules || fired.ruleAuthor == watcher.signer.publicKey.hex {
                        if !output.json {
                            print("alert \(fired.alert.prefix(12)) \(fired.model) in \(fired.environment): \(fired.summary); running \(command)")
                        }
                        let firedNow = fired
                        fired.exitCode = try await onOwnThread { try Watcher.start(command, for: firedNow, in: directory) }
                    } else if !output.json {
                        Self.say("alert \(fired.alert.prefix(12)) \(fired.model) in \(fired.environment): \(fired.summary)")
                    }
                    if output.json { try Output.jsonLine(fired) }
                }
                if once { return }
                let next = started + .milliseconds(Int64(clamping: interval))
                if next > .now { try await Task.sleep(until: next) }
            }
        }

        /// A line written at once, before a command's own output.
        static func say(_ line: String) { FileHandle.standardOutput.write(Data((line + "\n").utf8)) }
    }
}
