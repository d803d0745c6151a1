import ArgumentParser
import Foundation

@main
struct TortureCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mledger-torture",
        abstract:
            "Fault, load and hostile-input suite: the built mledger and mledger-relay under many clients, partitions, kill -9, fuzzed requests and tampered rows.",
        usage: """
            mledger-torture
              mledger-torture --seed 7 --only crash,tamper
              mledger-torture --long --clients 40
            """,
        discussion: """
            Runs real processes on 127.0.0.1 (random free ports) in temporary folders, finds the binaries beside \
            itself (or in MLEDGER_BIN_DIR), prints one line per scenario and one summary line, and exits non-zero \
            if any check failed, naming the check and the seed that reproduces it. Faults counted: processes \
            killed, relay restarts, partitions and forks; inputs: hostile requests and events, decoder inputs and \
            tampered bytes.
            """
    )

    @Option(help: "Seed for every random choice (default: from the clock; printed so a failure can be replayed).")
    var seed: UInt64?
    @Flag(help: "Bigger counts and more rounds, for local runs (every byte tampered, more crashes and inputs).")
    var long = false
    @Option(help: "Clients in the convergence scenario (at least 20).")
    var clients: Int?
    @Option(help: "Only these scenarios, comma-separated: \(Scenarios.names.joined(separator: ", ")).")
    var only: String?
    @Flag(help: "Print the summary as one JSON object after the summary line.")
    var json = false

    func validate() throws {
        if let clients, clients < 20 { throw ValidationError("--clients must be at least 20 (the suite proves convergence with 20 or more)") }
        if let unknown = selected.first(where: { !Scenarios.names.contains($0) }) {
            throw ValidationError("unknown scenario '\(unknown)': choose from \(Scenarios.names.joined(separator: ", "))")
        }
    }

    private var selected: [String] {
        only.map { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } } ?? Scenarios.names
    }

    func run() async throws {
        signal(SIGPIPE, SIG_IGN)
        setenv("MLEDGER_BIN_DIR", BinaryFolder.path, 0)
        let seed = self.seed ?? UInt64(Date().timeIntervalSince1970 * 1000)
        var scale = long ? Scale.long : Scale.standard
        if let clients { scale.clients = clients }
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("mledger-torture-\(seed)-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: root) }
        say("torture: seed=\(seed) mode=\(long ? "long" : "standard") binaries=\(BinaryFolder.path)")

        let start = Date()
        var tallies = [Tally]()
        for scenario in Scenarios.all where selected.contains(scenario.name) {
            let tally = Tally(scenario: scenario.name)
            let context = ScenarioContext(seed: seed, scale: scale, root: root.appendingPathComponent(scenario.name))
            try FileManager.default.createDirectory(at: context.root, withIntermediateDirectories: true)
            let began = Date()
            do { try await scenario.run(context, tally) } catch { tally.fail("stopped early: \(error)") }
            tally.seconds = Date().timeIntervalSince(began)
            say(tally.line)
            for failure in tally.failures { say("  FAILED \(scenario.name): \(failure)") }
            tallies.append(tally)
        }
        let summary = Summary(seed: seed, tallies: tallies, seconds: Date().timeIntervalSince(start))
        say(summary.line)
        if json { say(try summary.json()) }
        say("scenarios: \(tallies.count - summary.failedScenarios.count) passed, \(summary.failedScenarios.count) failed")
        if summary.failures > 0 {
            say("reproduce with: mledger-torture --seed \(seed)\(long ? " --long" : "") --only \(summary.failedScenarios.joined(separator: ","))")
            throw ExitCode(1)
        }
    }
}

/// Writes a line straight to standard output, unbuffered, so each scenario's line shows as it ends (also
/// in a CI log, where `print` would hold it back until exit).
func say(_ line: String) {
    FileHandle.standardOutput.write(Data((line + "\n").utf8))
}
