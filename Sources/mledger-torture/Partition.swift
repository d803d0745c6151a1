import Foundation
import LedgerProcesses

/// Partition and reorder: members work offline for a long time (thousands of events each, concurrent
/// promotions of one alias), one laptop is restored from a backup and keeps working beside the original
/// with the same key (a fork), and all rejoin in a random order. Before leaving, everyone saw a request to
/// move `release` (two maintainers' approvals, not the requester's); offline, each approves it first
/// (both sides of the fork too) and the last one rejects it. Views must converge, every conflict and fork
/// must be flagged identically everywhere, and every laptop must reach the same request outcome.
struct Partition: Scenario {
    let name = "partition"

    func run(_ context: ScenarioContext, _ tally: Tally) async throws {
        var rng = context.rng(100)
        let team = try Team(root: context.root)
        try team.createModel()
        let request = try openRelease(team.admin)
        let members = try team.join(context.scale.offlineClients, role: "maintainer")
        let restored = try restoredCopy(of: members[0], root: context.root)
        tally.add(clients: members.count + 2)
        tally.add(faults: members.count + 2, as: "partitioned laptops")
        tally.add(faults: 1, as: "restored backups")

        // Offline: nobody syncs until everyone is done.
        let offline = members + [restored]
        let errors = Workers.run(offline.count) { i in
            let cli = offline[i]
            let verdict = i == members.count - 1 ? "reject" : "approve"
            try cli.succeed(["model", verdict, request, "--reason", "\(verdict) while offline (\(i))"])
            // The restored laptop does less work than the original: the two sides of the fork differ in length.
            let points = cli === restored ? context.scale.offlineEvents / 3 : context.scale.offlineEvents
            let run = try cli.succeed(["run", "start", "--experiment", "offline", "--name", "away-\(i)"]).trimmed
            let file = cli.root.appendingPathComponent("points.jsonl")
            try (1...points).map { "{\"key\":\"loss\",\"value\":\(Double(i + 1) / Double($0)),\"step\":\($0)}" }
                .joined(separator: "\n").write(to: file, atomically: true, encoding: .utf8)
            try cli.succeed(["run", "log-batch", run, "--file", file.path, "--batch-size", "1"])
            try cli.succeed(["run", "finish", run])
            try cli.succeed(["model", "promote", "digits", "1", "--to", "production", "--reason", "offline choice \(i)"])
        }
        for error in errors { tally.fail("offline work failed: \(error)") }
        try team.admin.succeed(["model", "promote", "digits", "1", "--to", "production", "--reason", "admin, also offline"])

        let everyone = [team.admin] + offline
        let agreement = Agreement(team: team, clients: everyone, tally: tally)
        var orders = [[Int]]()
        // The original laptop (index 1) and its restored copy (the last) share a key.
        _ = try agreement.settle(
            order: { count in
                let order = Array(0..<count).shuffled(using: &rng)
                orders.append(order)
                return order
            }, forked: [1, everyone.count - 1])
        try agreement.check(forksExpected: true)
        try checkFlags(everyone, tally, context: "rejoin orders \(orders)")
        try checkRelease(everyone, request, tally, context: "rejoin orders \(orders)")
    }

    /// The admin protects `release` with two approvals, not the requester's, asks for version 1, and syncs;
    /// returns the request id.
    private func openRelease(_ admin: CLIProcess) throws -> String {
        try admin.succeed(["team", "protect", "release", "--role", "maintainer", "--approvals", "2", "--not-requester"])
        try admin.succeed(["model", "request", "digits", "1", "--to", "release", "--reason", "ship once two maintainers agree"])
        guard let id = (try admin.jsonOutput(["model", "requests", "digits"]) as? [[String: Any]])?.first?["id"] as? String else {
            throw TortureError("`mledger model requests` lists no request after `mledger model request`")
        }
        try admin.succeed(["sync"])
        return id
    }

    /// The request reached one outcome, the same everywhere: approved (and `release` moved) or rejected.
    private func checkRelease(_ clients: [CLIProcess], _ request: String, _ tally: Tally, context: String) throws {
        let outputs = try clients.map { try $0.succeed(["model", "requests", "digits", "--json"]) }
        tally.check(Set(outputs).count == 1, "`mledger model requests digits --json` differs between laptops (\(context))")
        let seen = (try clients[0].jsonOutput(["model", "requests", "digits"]) as? [[String: Any]])?.first { $0["id"] as? String == request }
        let state = seen?["state"] as? String
        tally.check(state == "approved" || state == "rejected", "the offline decisions left the request \(state ?? "missing") (\(context))")
        let model = try clients[0].jsonOutput(["model", "show", "digits"]) as? [String: Any]
        let release = (model?["aliases"] as? [[String: Any]])?.first { $0["alias"] as? String == "release" }
        tally.check(
            (state == "approved") == (release?["request"] as? String == request),
            "release must point at the request exactly when it was approved (\(state ?? "missing"), \(context))")
    }

    /// A second laptop made from a backup of `cli`'s workspace and identity folder, as after a restore.
    private func restoredCopy(of cli: CLIProcess, root: URL) throws -> CLIProcess {
        let copy = try CLIProcess(parent: root)
        let files = FileManager.default
        try files.removeItem(at: copy.workspace)
        try files.copyItem(at: cli.workspace, to: copy.workspace)
        try files.copyItem(at: cli.config, to: copy.config)
        return copy
    }

    /// The audit trail (conflicts and forks included) reads the same, byte for byte, on every laptop.
    private func checkFlags(_ clients: [CLIProcess], _ tally: Tally, context: String) throws {
        for arguments in [["audit", "--json"], ["audit", "digits", "--json"], ["model", "show", "digits", "--json"]] {
            let outputs = try clients.map { try $0.succeed(arguments) }
            tally.check(Set(outputs).count == 1, "`mledger \(arguments.joined(separator: " "))` differs between laptops (\(context))")
        }
        let audit = try clients[0].jsonOutput(["audit", "digits"]) as? [String: Any]
        let forks = audit?["forks"] as? [[String: Any]] ?? []
        let conflicts = (audit?["entries"] as? [[String: Any]] ?? []).filter { $0["conflict"] as? Bool == true }
        let forkedAuthors = Set(forks.compactMap { ($0["author"] as? [String: Any])?["key"] as? String })
        tally.check(
            !forks.isEmpty && forkedAuthors.count == 1,
            "expected forks by the restored laptop's key alone, found \(forks.count) forks by \(forkedAuthors.count) authors")
        // The forked key's two promotions come past the fork's bound (thousands of events later): they
        // count nowhere, so the others' promotions conflict.
        tally.check(
            conflicts.count >= clients.count - 2,
            "expected the \(clients.count - 2) concurrent promotions of unforked keys flagged as conflicts, found \(conflicts.count)")
    }
}
