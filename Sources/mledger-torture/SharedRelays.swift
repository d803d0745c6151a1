import Foundation
import LedgerProcesses
import LedgerProtocol

/// Convergence and crashes on three relays sharing one PostgreSQL behind an nginx round robin: at least
/// 20 members sync through the balancer at once while one relay is killed with SIGKILL mid-push and
/// restarted, and PostgreSQL itself is restarted (fast shutdown) during the syncs. Afterwards every
/// client and every relay's copy hold the same events and view digests, every acknowledged event is
/// present, none twice, and the shared arrival order has no gap.
struct SharedRelays: Scenario {
    let name = "shared"

    func run(_ context: ScenarioContext, _ tally: Tally) async throws {
        let cluster = try PostgresCluster()
        defer { cluster.stop() }
        let database = try cluster.createDatabase()
        let blobs = context.root.appendingPathComponent("blobs")
        let shared = ["--database", database, "--blobs", blobs.path]
        let team = try Team(root: context.root, relayArguments: shared)
        let others = try (1...2).map { i in
            try RelayProcess(team: team.id.hex, data: context.root.appendingPathComponent("relay-\(i)"), extraArguments: shared)
        }
        let relays = [team.relay] + others
        let balancer = try NginxBalancer(relayPorts: relays.map(\.port))
        defer { balancer.stop() }
        try team.createModel()
        let members = try team.join(context.scale.clients, role: "writer", through: balancer.url)
        tally.add(clients: members.count + 1)

        let acknowledged = Locked(Set<String>())
        let faults = Background { Self.inject(into: others[0], extraArguments: shared, cluster: cluster, context: context, tally: tally) }
        let errors = Workers.run(members.count) { i in
            var rng = context.rng(UInt64(i + 1))
            var work = Workload(cli: members[i], index: i, tally: tally)
            work.syncsMayFail = true
            for round in 0..<context.scale.rounds {
                usleep(UInt32.random(in: 0...150_000, using: &rng))
                let ids = try work.step(round: round, using: &rng)
                acknowledged.mutate { $0.formUnion(ids) }
            }
        }
        for error in errors { tally.fail("a member's workload failed: \(error)") }
        if let failure = faults.wait() { tally.fail(failure) }

        var agreement = Agreement(team: team, clients: [team.admin] + members, tally: tally)
        agreement.refresh = { relays.forEach(Self.poke) }
        _ = try agreement.settle()
        try agreement.check()
        try agreement.checkPresent(acknowledged.value)
        relays.forEach(Self.poke)
        let first = try LedgerFacts.read(team.relay.database)
        for (i, relay) in others.enumerated() {
            tally.check(try LedgerFacts.read(relay.database) == first, "relay \(i + 2)'s copy differs from relay 1's")
        }
        let name = PostgresCluster.name(in: database)
        let stored = try cluster.sql(
            "SELECT count(*) || ' ' || coalesce(max(position), 0) || ' ' || count(DISTINCT id) FROM mledger_events", database: name)
        tally.check(
            stored == "\(first.events) \(first.events) \(first.events)",
            "the shared arrival order (count, last position, distinct ids: \(stored)) differs from the relays' \(first.events) events")
    }

    /// Kills a relay with SIGKILL while members push, restarts it on its port, then restarts PostgreSQL.
    /// Returns what went wrong, if anything.
    static func inject(
        into relay: RelayProcess, extraArguments: [String], cluster: PostgresCluster, context: ScenarioContext, tally: Tally
    ) -> String? {
        var rng = context.rng(9_999)
        usleep(UInt32.random(in: 800_000...1_500_000, using: &rng))
        relay.kill9()
        tally.add(faults: 1, as: "relays killed")
        do {
            try relay.start(port: relay.port, extraArguments: extraArguments)
            tally.add(faults: 1, as: "relay restarts")
            usleep(UInt32.random(in: 500_000...1_000_000, using: &rng))
            cluster.stop(keepingData: true)
            try cluster.start()
            tally.add(faults: 1, as: "database restarts")
        } catch {
            return "a fault could not be injected: \(error)"
        }
        return nil
    }

    /// `GET /v1/relay`, which makes a relay copy what the others stored.
    static func poke(_ relay: RelayProcess) {
        guard let connection = try? RawConnection(port: relay.port, timeout: 10) else { return }
        defer { connection.close() }
        try? connection.send("GET", "/v1/relay", headers: [("Connection", "close")])
        _ = try? connection.readHead()
    }
}
