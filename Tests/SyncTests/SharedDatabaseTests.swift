import Foundation
import LedgerProtocol
import LedgerStore
import LedgerTestSupport
import Testing

/// Several relays on one PostgreSQL database (`mledger-relay serve --database`): one arrival order, one
/// set of nonces, and chain checks that hold when two relays receive one author's events at once.
@Suite struct PostgresRelayTests {
    /// Two relays on one new database (sharing one blob folder), and the admin synced through the first.
    struct Pair {
        let first: RelayProcess
        let second: RelayProcess
        let admin: CLI
        let team: String
        let cluster: PostgresCluster
        let database: String

        init() throws {
            cluster = try PostgresCluster.shared()
            database = try cluster.createDatabase(prefix: "shared")
            admin = try CLI()
            try admin.ok("init", "--team", "vision", "--name", "Alice")
            team = try TeamFixture.team(of: admin)
            first = try RelayProcess(team: team, database: database)
            second = try RelayProcess(team: team, database: database, blobs: first.data.appendingPathComponent("blobs"))
            try admin.ok("remote", "add", "origin", first.url)
            try admin.ok("sync")
        }

        /// A member added by the admin (through the first relay) who joins through `relay`.
        func join(_ name: String, through relay: RelayProcess) throws -> CLI {
            let member = try CLI()
            try member.ok("identity", "create", "--name", name)
            try admin.ok("team", "add", try TeamFixture.publicKey(of: member), "--role", "writer", "--name", name)
            try admin.ok("sync")
            try member.ok("init", "--join", relay.url)
            return member
        }

        /// Count and highest position of the shared events table: equal when no position is missing.
        func storedEvents() throws -> (count: Int, last: Int) {
            let name = PostgresCluster.name(in: database)
            let row = try cluster.sql("SELECT count(*) || ' ' || coalesce(max(position), 0) FROM mledger_events", database: name)
            let parts = row.split(separator: " ").compactMap { Int($0) }
            return (parts.first ?? -1, parts.last ?? -1)
        }
    }

    /// A workspace restored from a copy signs a different event at the seq its original uses; the two
    /// push through different relays at the same moment. Both events are kept, the fork is recorded
    /// once, and both relays and every member end with the same events and views.
    @Test func conflictingPushesThroughTwoRelaysRecordOneForkAlike() throws {
        let pair = try Pair()
        let bob = try pair.join("Bob", through: pair.first)
        // Carol joins through the second relay, which learns of her membership from the shared database.
        let carol = try pair.join("Carol", through: pair.second)
        let alice = pair.admin
        let restored = try CLI()
        try FileManager.default.removeItem(at: restored.workspace)
        try FileManager.default.copyItem(at: alice.workspace, to: restored.workspace)
        try FileManager.default.copyItem(at: alice.config, to: restored.config)
        try restored.ok("remote", "add", "second", pair.second.url)
        try alice.ok("experiment", "create", "left")
        try restored.ok("experiment", "create", "right")

        let pushes: [(CLI, [String])] = [(alice, ["sync"]), (restored, ["sync", "second"])]
        DispatchQueue.concurrentPerform(iterations: pushes.count) { i in
            _ = try? pushes[i].0.execute(pushes[i].1)
        }
        _ = try alice.run("sync")
        _ = try restored.run("sync", "second")
        try bob.ok("sync")
        try carol.ok("sync")

        for member in [bob, carol] {
            let audit = try #require(try member.json("audit") as? [String: Any])
            let forks = try #require(audit["forks"] as? [[String: Any]])
            #expect(forks.count == 1)
            #expect((forks.first?["events"] as? [String])?.count == 2)
            let experiments = try member.ok("experiment", "list")
            #expect(experiments.contains("left") && experiments.contains("right"))
        }
        let digest = try TeamFixture.digest(bob)
        #expect(try TeamFixture.digest(carol) == digest)
        // Each relay's local copy holds the same events and views.
        #expect(try Ledger(path: pair.first.database).projectionDigest().hex == digest)
        #expect(try Ledger(path: pair.second.database).projectionDigest().hex == digest)
        let stored = try pair.storedEvents()
        #expect(stored.count == stored.last, "positions must have no gap")
        #expect(try Ledger(path: pair.first.database).eventCount() == stored.count)
        #expect(try Ledger(path: pair.second.database).eventCount() == stored.count)
        #expect(try Ledger(path: bob.database).eventCount() == stored.count)
    }

    /// A request accepted by one relay is refused by another on the same database: nonces are shared.
    @Test func aRequestReplayedToAnotherRelayIsRefused() async throws {
        let pair = try Pair()
        let key = try TeamFixture.signingKey(of: pair.admin)
        let signedAt = wallClockMs()
        let headers = try Signed.headers("GET", "/v1/frontier", key: key, relay: pair.first)
        let sender = RejectionTests()
        #expect(try await sender.send(pair.first, "GET", "/v1/frontier", headers: headers).status == 200)
        let replay = try await sender.send(pair.second, "GET", "/v1/frontier", headers: headers)
        #expect(replay.status == 401)
        #expect(Replay.refused(replay.json["message"] as? String, signedAtMs: signedAt, replay: "replayed", tooOld: "more than 5 minutes"))
    }

    /// `/healthz` answers 200 only while the database answers: a balancer then skips the relay.
    @Test func healthFollowsTheDatabase() throws {
        let cluster = try PostgresCluster()
        let relay = try RelayProcess(team: nil, database: try cluster.createDatabase())
        func status() -> Int {
            guard let connection = try? RawConnection(port: relay.port, timeout: 10) else { return 0 }
            defer { connection.close() }
            guard (try? connection.send("GET", "/healthz", headers: [("Connection", "close")])) != nil,
                let head = try? connection.readHead()
            else { return 0 }
            return head.status
        }
        #expect(status() == 200)
        cluster.stop(keepingData: true)
        #expect(status() == 503)
        try cluster.start()
        #expect(status() == 200)
    }

    /// A SQLite relay's history moves into PostgreSQL at the same positions: a relay on the database, on
    /// the same address, serves it, and members sync on without pulling anything again.
    @Test func aMigratedHistoryKeepsClientsCursors() throws {
        let fixture = try TeamFixture()
        let alice = fixture.admin
        try alice.ok("model", "create", "digits")
        try alice.ok("sync")
        let bob = try fixture.join("Bob", role: "writer")
        try bob.ok("sync")
        // A subscription whose receiver never answers: it moves with its cursor, held before the comment,
        // and the log of the attempts at it.
        alice.extraEnvironment["HOOK_SECRET"] = "s3cret"
        let hook = try #require(
            try alice.json("webhook", "add", "http://127.0.0.1:9/hook", "--events", "comment.created", "--secret-env", "HOOK_SECRET")
                as? [String: Any])
        try alice.ok("comment", "add", "digits", "before the move")
        try alice.ok("sync")
        func attempts() throws -> Int {
            let log = try alice.json("webhook", "deliveries", "--webhook", try #require(hook["id"] as? String)) as? [[String: Any]]
            return log?.first?["attempts"] as? Int ?? 0
        }
        let deadline = Date().addingTimeInterval(20)
        while try attempts() == 0, Date() < deadline { Thread.sleep(forTimeInterval: 0.2) }
        let tried = try attempts()
        #expect(tried > 0)
        try bob.ok("sync")
        let before = try fixture.relayEventCount()
        fixture.relay.stop()

        let cluster = try PostgresCluster.shared()
        let database = try cluster.createDatabase(prefix: "migrated")
        let migrate = try RelayProcess.command(["migrate", "--from", fixture.relay.data.path, "--to", database])
        #expect(migrate.status == 0, "\(migrate.stderr)")
        #expect(migrate.stdout.contains("migrated \(before) events"))
        #expect(migrate.stdout.contains("moved 1 webhook subscription"))
        // Run again, it finds everything there and copies nothing.
        let again = try RelayProcess.command(["migrate", "--from", fixture.relay.data.path, "--to", database])
        #expect(again.stdout.contains("migrated 0 events"), "\(again.stdout) \(again.stderr)")
        #expect(!again.stdout.contains("webhook"), "a subscription moves once")

        let relay = try RelayProcess(team: fixture.team, database: database, port: fixture.relay.port)
        try alice.ok("experiment", "create", "after-the-move")
        // The log key moved with the history, and the log grows on from the same order: members' checks
        // of it (consistency with the checkpoint each holds) pass without anything forgotten.
        try alice.ok("sync")
        let sync = try #require(try bob.json("sync", "--json") as? [String: Any])
        // The experiment and Alice's cosignature of the checkpoint after it.
        #expect(sync["pulled"] as? Int == 2)
        #expect(sync["pullDuplicates"] as? Int == 0, "a client whose cursor still holds pulls nothing twice")
        #expect(try bob.ok("experiment", "list").contains("after-the-move"))
        #expect(try Ledger(path: relay.database).eventCount() == before + 2)
        #expect(try TeamFixture.digest(bob) == TeamFixture.digest(alice))
        let hooks = try #require(try alice.json("webhook", "list") as? [[String: Any]])
        #expect(hooks.map { $0["id"] as? String } == [hook["id"] as? String])
        #expect(hooks.first?["cursor"] as? Int == hook["cursor"] as? Int, "still before the comment it could not deliver")
        #expect(try attempts() >= tried)

        // A second relay on a folder of its own grows the same log from its copy and announces the same key.
        let second = try RelayProcess(team: fixture.team, database: database)
        let logKey = try Signed.announcement(of: relay)["log_key"] as? String
        let secondKey = try Signed.announcement(of: second)["log_key"] as? String
        #expect(logKey != nil && secondKey == logKey)
        try bob.ok("remote", "add", "second", second.url)
        try bob.ok("sync", "second")
        let audit = try #require(try bob.json("audit", "--relay") as? [String: Any])
        let logs = try #require(audit["relays"] as? [[String: Any]])
        #expect(logs.count == 2 && Set(logs.compactMap { $0["root"] as? String }).count == 1, "one log through both relays: \(logs)")
        #expect((audit["evidence"] as? [Any])?.isEmpty == true)
    }

    /// A relay whose own transparency log was signed with another key than the database keeps does not
    /// start: it would serve a log members cannot reconcile with the other relays'.
    @Test func aLogSignedWithAnotherKeyIsRefused() throws {
        let pair = try Pair()
        let other = try TeamFixture()
        other.relay.stop()
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("mledger-relay-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        for file in ["transparency.sqlite", "transparency.sqlite-wal"]
        where FileManager.default.fileExists(atPath: other.relay.data.appendingPathComponent(file).path) {
            try FileManager.default.copyItem(at: other.relay.data.appendingPathComponent(file), to: folder.appendingPathComponent(file))
        }
        let refusal = #expect(throws: RelayProcess.RelayStartError.self) {
            _ = try RelayProcess(team: pair.team, data: folder, database: pair.database)
        }
        #expect(refusal?.output.contains("another log key") == true, "\(refusal?.output ?? "")")
    }

    /// Refused input changes nothing: a migration into a database that holds another history stops.
    @Test func aMigrationIntoAnotherHistoryIsRefused() throws {
        let pair = try Pair()
        let other = try TeamFixture()
        other.relay.stop()
        let migrate = try RelayProcess.command(["migrate", "--from", other.relay.data.path, "--to", pair.database])
        #expect(migrate.status != 0)
        #expect(migrate.stderr.contains("already holds a different history"), "\(migrate.stderr)")
    }

    /// Behind a round-robin balancer, under a path prefix the balancer removes: requests land on both
    /// relays in turn, and members converge as with one relay.
    @Test func membersSyncThroughABalancerUnderAPathPrefix() throws {
        let pair = try Pair()
        let balancer = try NginxBalancer(relayPorts: [pair.first.port, pair.second.port])
        let remote = balancer.url + "/mledger/"
        let alice = pair.admin
        try alice.ok("remote", "add", "balanced", remote)
        try alice.ok("model", "create", "digits")
        try alice.ok("sync", "balanced")
        let bob = try CLI()
        try bob.ok("identity", "create", "--name", "Bob")
        try alice.ok("team", "add", try TeamFixture.publicKey(of: bob), "--role", "writer", "--name", "Bob")
        try alice.ok("sync", "balanced")
        try bob.ok("init", "--join", remote)
        for name in ["one", "two", "three"] {
            try bob.ok("experiment", "create", name)
            try bob.ok("sync")
        }
        try alice.ok("sync", "balanced")
        #expect(try alice.ok("experiment", "list").contains("three"))
        #expect(try TeamFixture.digest(alice) == TeamFixture.digest(bob))
        let stored = try pair.storedEvents()
        #expect(stored.count == stored.last)
        #expect(try Ledger(path: bob.database).eventCount() == stored.count)
    }

    /// An artifact uploaded through one relay is downloaded through the other (they share a blob folder).
    @Test func anArtifactUploadedThroughOneRelayDownloadsThroughTheOther() throws {
        let pair = try Pair()
        let bob = try pair.join("Bob", through: pair.second)
        let alice = pair.admin
        let run = try alice.initRunInExistingWorkspace()
        let file = alice.workspace.appendingPathComponent("weights.bin")
        try Data((0..<300_000).map { UInt8($0 % 251) }).write(to: file)
        try alice.ok("run", "artifact", run, file.path)
        try alice.ok("model", "create", "digits")
        try alice.ok("model", "version", "create", "digits", "--run", run)
        try alice.ok("sync")
        try bob.ok("sync")
        let out = bob.root.appendingPathComponent("out")
        try bob.ok("model", "pull", "digits@v1", "--out", out.path)
        #expect(try Data(contentsOf: out.appendingPathComponent("weights.bin")) == Data(contentsOf: file))
    }
}
