import Foundation
import LedgerProcesses

/// Convergence under load: at least 20 members, each with its own key and workspace, log runs, metrics,
/// promotions and comments and sync at once against one relay, with random pauses, syncs killed midway
/// and repeated syncs. At the end all sync until quiet: every ledger holds the same events exactly once,
/// every acknowledged event among them, and every view digest equals the relay's.
struct Convergence: Scenario {
    let name = "convergence"

    func run(_ context: ScenarioContext, _ tally: Tally) async throws {
        let team = try Team(root: context.root)
        try team.createModel()
        let members = try team.join(context.scale.clients, role: "writer")
        tally.add(clients: members.count + 1)

        let acknowledged = Locked(Set<String>())
        let errors = Workers.run(members.count) { i in
            var rng = context.rng(UInt64(i + 1))
            let work = Workload(cli: members[i], index: i, tally: tally)
            for round in 0..<context.scale.rounds {
                usleep(UInt32.random(in: 0...150_000, using: &rng))
                let ids = try work.step(round: round, using: &rng)
                acknowledged.mutate { $0.formUnion(ids) }
            }
        }
        for error in errors { tally.fail("a member's workload failed: \(error)") }

        let agreement = Agreement(team: team, clients: [team.admin] + members, tally: tally)
        _ = try agreement.settle()
        try agreement.check()
        try agreement.checkPresent(acknowledged.value)
    }
}

/// What one member does in a round, chosen at random: log a run with metrics, move an alias, comment,
/// sync, or start a sync and kill it (SIGKILL or SIGTERM) midway; a sync may be repeated.
struct Workload {
    let cli: CLIProcess
    let index: Int
    let tally: Tally
    /// Set while faults hit the relays' database: a sync may then fail, and must succeed later.
    var syncsMayFail = false

    /// Does one random action and returns the ids of the events it acknowledged.
    func step(round: Int, using rng: inout SplitMix) throws -> [String] {
        var ids = [String]()
        switch Int.random(in: 0..<10, using: &rng) {
        case 0..<4: ids = try logRun(round: round, using: &rng)
        case 4:
            try cli.succeed([
                "model", "promote", "digits", "1", "--to", ["staging", "canary"].randomElement(using: &rng) ?? "staging",
                "--reason", "member \(index) round \(round)",
            ])
        case 5: try cli.succeed(["comment", "add", "digits", "member \(index) looked at round \(round)"])
        case 6, 7:
            let signal = Bool.random(using: &rng) ? SIGKILL : SIGTERM
            if try Faults.interrupt(cli, ["sync"], afterMs: Int.random(in: 5...400, using: &rng), signal: signal) {
                tally.add(faults: 1, as: signal == SIGKILL ? "syncs killed" : "syncs terminated")
            }
        default: break
        }
        for _ in 0..<Int.random(in: 1...2, using: &rng) {
            let r = try cli.execute(["sync"])
            // A sync may meet a relay busy with the other members; it must never fail otherwise.
            if !r.ok, syncsMayFail {
                tally.add(faults: 1, as: "syncs failed during faults")
            } else if !r.ok {
                tally.fail("member \(index) sync failed: \(r.stderr.prefix(300))")
            }
        }
        return ids
    }

    /// A run with a param, streamed metric batches (each acknowledged with its event id) and a finish.
    private func logRun(round: Int, using rng: inout SplitMix) throws -> [String] {
        let run = try cli.succeed(["run", "start", "--experiment", "exp-\(index % 3)", "--name", "m\(index)-r\(round)"]).trimmed
        try cli.succeed(["run", "log-param", run, "lr=0.\(Int.random(in: 1...9, using: &rng))"])
        let points = Int.random(in: 20...120, using: &rng)
        let lines = (1...points).map { "{\"step\":\($0),\"metrics\":{\"loss\":\(1.0 / Double($0)),\"acc\":\(Double($0) / Double(points))}}" }
        let out = try cli.succeed(
            ["run", "log-batch", run, "--json", "--batch-size", String(Int.random(in: 5...60, using: &rng))],
            stdin: lines.joined(separator: "\n"))
        let acks = Acks.eventIDs(out)
        tally.check(!acks.isEmpty, "member \(index): log-batch acknowledged nothing")
        try cli.succeed(["run", "finish", run])
        return [run] + acks
    }
}
