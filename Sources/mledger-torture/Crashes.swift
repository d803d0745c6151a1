import Foundation
import LedgerProcesses
import LedgerStore

/// Crash: kill -9 at random moments of local logging, of a push, of a pull and of the relay, round after
/// round with different random moments. After each kill the ledger it hit must pass verify, and after
/// each round every acknowledged event must be on every ledger.
struct Crashes: Scenario {
    let name = "crash"

    func run(_ context: ScenarioContext, _ tally: Tally) async throws {
        let team = try Team(root: context.root)
        let writer = try team.join(1, role: "writer", prefix: "writer")[0]
        let reader = try team.join(1, role: "reader", prefix: "reader")[0]
        tally.add(clients: 3)
        let agreement = Agreement(team: team, clients: [team.admin, writer, reader], tally: tally)
        var acknowledged = Set<String>()

        for round in 0..<context.scale.crashRounds {
            var rng = context.rng(200 + UInt64(round))
            let run = try writer.succeed(["run", "start", "--experiment", "crash", "--name", "round-\(round)"]).trimmed
            acknowledged.insert(run)

            // Logging: killed while streaming; what it acknowledged is stored and the ledger verifies.
            let streamed = try killWhileStreaming(writer, run: run, afterAcks: Int.random(in: 1...6, using: &rng))
            acknowledged.formUnion(streamed)
            tally.add(faults: 1, as: "logging killed")
            expectVerified(writer, tally, "after kill -9 while logging (round \(round))")
            tally.check(
                try LedgerFacts.missing(Set(streamed), in: writer.database).isEmpty,
                "round \(round): acknowledged batches lost by kill -9 while logging")

            // Push: killed at a random moment. A kill that lands after the sync finished is no fault, so
            // new events are logged and the kill comes sooner, until one lands.
            var delay = Int.random(in: 5...900, using: &rng)
            for attempt in 0..<Self.attempts {
                acknowledged.formUnion(
                    try logEvents(writer, run: run, count: Int.random(in: 800...1600, using: &rng), offset: 100_000 * (attempt + 1)))
                if try Faults.interrupt(writer, ["sync"], afterMs: delay) {
                    tally.add(faults: 1, as: "push killed")
                    break
                }
                delay = max(5, delay / 3)
            }
            expectVerified(writer, tally, "after kill -9 during a push (round \(round))")

            // Pull: the writer's push completes, then the reader's pull of it is killed at a random moment.
            delay = Int.random(in: 5...700, using: &rng)
            for attempt in 0..<Self.attempts {
                if attempt > 0 {
                    acknowledged.formUnion(try logEvents(writer, run: run, count: 1_500, offset: 1_000_000 + 10_000 * attempt))
                }
                let pushed = try writer.execute(["sync"])
                tally.check(pushed.ok, "round \(round): sync after a killed push failed: \(pushed.stderr.prefix(300))")
                if try Faults.interrupt(reader, ["sync"], afterMs: delay) {
                    tally.add(faults: 1, as: "pull killed")
                    break
                }
                delay = max(5, delay / 3)
            }
            expectVerified(reader, tally, "after kill -9 during a pull (round \(round))")

            // Relay: killed during a push, verified while down, restarted on its port.
            acknowledged.formUnion(try logEvents(writer, run: run, count: Int.random(in: 800...1600, using: &rng), offset: 5_000_000))
            let sync = writer.process(["sync"])
            sync.standardOutput = FileHandle.nullDevice
            sync.standardError = FileHandle.nullDevice
            try sync.run()
            usleep(UInt32.random(in: 5_000...700_000, using: &rng))
            team.relay.kill9()
            sync.waitUntilExit()
            tally.add(faults: 1, as: "relay killed")
            let report = try Ledger(path: team.relay.database, cacheMiB: 4).verify()
            tally.check(report.ok, "round \(round): relay ledger fails verify after kill -9: \(report.problems.prefix(3))")
            try team.relay.start(port: team.relay.port)

            _ = try agreement.settle()
            try agreement.checkPresent(acknowledged)
        }
        try agreement.check()
    }

    private func expectVerified(_ cli: CLIProcess, _ tally: Tally, _ when: String) {
        let r = try? cli.execute(["verify"])
        tally.check(r?.ok == true, "`mledger verify` fails \(when): \(r?.stdout.prefix(300) ?? "did not run")")
    }

    /// Logs `count` points, one event each, from a file; returns the acknowledged event ids.
    /// Tries per round to land a kill inside a push or a pull.
    static let attempts = 4

    private func logEvents(_ cli: CLIProcess, run: String, count: Int, offset: Int) throws -> [String] {
        let file = cli.root.appendingPathComponent("points.jsonl")
        try (1...count).map { "{\"key\":\"loss\",\"value\":\(Double($0) / 3),\"step\":\(offset + $0)}" }
            .joined(separator: "\n").write(to: file, atomically: true, encoding: .utf8)
        let out = try cli.succeed(["run", "log-batch", run, "--file", file.path, "--batch-size", "1", "--json"])
        return Acks.eventIDs(out)
    }

    /// Streams metric lines into `log-batch --json` and kills it with SIGKILL after `afterAcks`
    /// acknowledgements; returns the acknowledged event ids.
    private func killWhileStreaming(_ cli: CLIProcess, run: String, afterAcks: Int) throws -> [String] {
        let p = cli.process(["run", "log-batch", run, "--json", "--batch-size", "25"])
        let input = Pipe()
        let output = Pipe()
        p.standardInput = input
        p.standardOutput = output
        p.standardError = FileHandle.nullDevice
        try p.run()
        let feeder = input.fileHandleForWriting
        MetricFeed.start(into: feeder, key: "acc")
        var ids = [String]()
        var buffer = Data()
        let deadline = Date().addingTimeInterval(30)
        while ids.count < afterAcks, Date() < deadline {
            let data = output.fileHandleForReading.availableData
            if data.isEmpty { break }
            buffer.append(data)
            while let nl = buffer.firstIndex(of: UInt8(ascii: "\n")) {
                ids += Acks.eventIDs(String(decoding: buffer[buffer.startIndex..<nl], as: UTF8.self))
                buffer.removeSubrange(buffer.startIndex...nl)
            }
        }
        kill(p.processIdentifier, SIGKILL)
        p.waitUntilExit()
        try? feeder.close()
        return ids
    }
}

/// The event ids in `log-batch --json` acknowledgement lines.
enum Acks {
    static func eventIDs(_ output: String) -> [String] {
        output.split(separator: "\n" as Character).compactMap { (line: Substring) -> String? in
            ((try? JSONSerialization.jsonObject(with: Data(String(line).utf8))) as? [String: Any])?["event"] as? String
        }
    }
}
