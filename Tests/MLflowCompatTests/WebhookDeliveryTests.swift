import Foundation
import LedgerTestSupport
import Testing

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// The relay's webhooks against a receiver written for MLflow 3, all real processes on 127.0.0.1.
@Suite(.serialized) struct WebhookDeliveryTests {
    static let secret = "whsec-test-\(UUID().uuidString)"

    /// A relay with a short retry cap, an admin synced to it, and a receiver subscribed to every event.
    struct Setup {
        let admin: CLI
        let relay: RelayProcess
        let receiver: WebhookReceiver
        let webhook: String
        let start: Int

        init(relayArguments: [String] = ["--webhook-retry-max", "0.5"]) throws {
            admin = try CLI()
            admin.extraEnvironment["HOOK_SECRET"] = WebhookDeliveryTests.secret
            try admin.ok("init", "--team", "vision", "--name", "Ada")
            let audit = try #require(try admin.json("audit") as? [String: Any])
            let team = try #require((audit["entries"] as? [[String: Any]])?.first?["event"] as? String)
            relay = try RelayProcess(team: team, extraArguments: relayArguments)
            try admin.ok("remote", "add", "origin", relay.url)
            try admin.ok("sync")
            receiver = try WebhookReceiver(folder: admin.root.appendingPathComponent("receiver"), secret: WebhookDeliveryTests.secret)
            let created = try #require(
                try admin.json("webhook", "add", receiver.url, "--events", "*", "--secret-env", "HOOK_SECRET") as? [String: Any])
            webhook = try #require(created["id"] as? String)
            start = try #require(created["cursor"] as? Int)
        }

        /// Lifecycle events of the relay after the subscription, in arrival order: (event id, kind).
        func expected() throws -> [(id: String, kind: String)] {
            let script = """
                import sqlite3, sys
                db = sqlite3.connect("file:" + sys.argv[1] + "?mode=ro", uri=True)
                for id, kind in db.execute("SELECT lower(hex(id)), kind FROM events WHERE rowid > ? ORDER BY rowid", (int(sys.argv[2]),)):
                    print(id, kind)
                """
            let r = try execute(MLflowVenv.python, ["-c", script, relay.database, String(start)], seconds: 30)
            let lifecycle: Set<String> = [
                "model.create", "model.version.create", "model.promote", "model.demote", "model.version.archive", "comment.add",
            ]
            return r.stdout.split(separator: "\n").map { $0.split(separator: " ").map(String.init) }.filter {
                $0.count == 2 && lifecycle.contains($0[1])
            }
            .map { ($0[0], $0[1]) }
        }
    }

    /// Receiver answering 500, slow, down, and the relay killed with SIGKILL in the middle of a delivery:
    /// every lifecycle event reaches the receiver, verified, in arrival order, and a repeat only ever
    /// carries the delivery id of the first.
    @Test func everyEventArrivesInOrderThroughFaults() throws {
        let s = try Setup()
        defer { s.receiver.stop() }
        let a = s.admin
        let run = try a.ok("run", "start", "--experiment", "hooks", "--name", "r1").trimmingCharacters(in: .whitespacesAndNewlines)
        try a.ok("model", "create", "digits")
        try a.ok("model", "version", "create", "digits", "--run", run)
        try a.ok("sync")
        try s.receiver.wait(seconds: 30, "first deliveries") { $0.filter { $0.status == 200 }.count >= 2 }

        // Answering 500: attempts are retried, and counted in the delivery log.
        try s.receiver.mode("500")
        try a.ok("model", "promote", "digits", "1", "--to", "staging", "--reason", "passes the smoke tests")
        try a.ok("sync")
        try s.receiver.wait(seconds: 30, "retries after 500") { $0.filter { $0.status == 500 }.count >= 3 }

        // Slow: answers after a pause, one at a time.
        try s.receiver.mode("slow 1")
        try a.ok("comment", "add", "digits", "staging looks good")
        try a.ok("sync")
        try s.receiver.wait(seconds: 30, "slow deliveries") { $0.contains { $0.action == "created" && $0.entity == "comment" && $0.status == 200 } }

        // Down: nothing listens; the events wait.
        s.receiver.stop()
        try s.receiver.mode("ok")
        try a.ok("model", "version", "create", "digits", "--run", run)
        try a.ok("model", "promote", "digits", "2", "--to", "production", "--reason", "better holdout accuracy")
        try a.ok("sync")
        Thread.sleep(forTimeInterval: 2)
        try s.receiver.start()

        // The relay killed with SIGKILL while the receiver holds a delivery: it is sent again after the restart.
        try s.receiver.wait(seconds: 30, "deliveries after the receiver came back") { $0.contains { $0.data["alias"] as? String == "production" } }
        try s.receiver.mode("slow 4")
        try a.ok("model", "demote", "digits", "--from", "staging", "--reason", "superseded by production")
        try a.ok("sync")
        try s.receiver.wait(seconds: 30, "the held delivery") { $0.contains { $0.status == 0 && $0.action == "deleted" } }
        s.relay.kill9()
        try s.receiver.mode("ok")
        try s.relay.start(port: s.relay.port, extraArguments: ["--webhook-retry-max", "0.5"])
        try a.ok("model", "archive", "digits", "1", "--reason", "replaced by v2")
        try a.ok("sync")

        let expected = try s.expected()
        #expect(expected.count == 8, "\(expected.map(\.kind))")
        // Every event, and the held delivery answered too (after its pause, to a relay that was gone).
        let held = try #require(s.receiver.entries().first { $0.status == 0 && $0.action == "deleted" }?.eventID)
        let received = try s.receiver.wait(seconds: 60, "every event") { entries in
            let delivered = entries.filter { $0.status == 200 }
            return Set(delivered.compactMap(\.eventID)).isSuperset(of: expected.map(\.id)) && delivered.filter { $0.eventID == held }.count >= 2
        }
        #expect(received.allSatisfy { $0.verified && $0.sameAsMLflow }, "every delivery must verify with MLflow's signature check")
        let delivered = received.filter { $0.status == 200 }
        // In order: the first receipt of each event follows arrival order; repeats come right after.
        var firstSeen = [String]()
        for e in delivered where !firstSeen.contains(e.eventID ?? "") { firstSeen.append(e.eventID ?? "") }
        #expect(firstSeen == expected.map(\.id))
        // Answers are logged as they are given: the held one came after the relay's repeat, so it is left out here.
        let positions = delivered.filter { $0.eventID != held }.compactMap(\.position)
        #expect(positions == positions.sorted(), "deliveries went out of order: \(received.map { "\($0.position ?? 0):\($0.status)" })")
        // Duplicates only with the same delivery id.
        let ids = Dictionary(grouping: delivered, by: { $0.eventID ?? "" }).mapValues { Set($0.map(\.deliveryID)) }
        #expect(ids.values.allSatisfy { $0.count == 1 })
        #expect(received.contains { $0.status == 500 })
        // The restarted relay counted its attempts: the repeat and the archive at least.
        let metrics = try String(contentsOf: try #require(URL(string: s.relay.url + "/metrics")), encoding: .utf8)
        let line = metrics.split(separator: "\n").first { $0.hasPrefix("mledger_webhook_attempts_total{result=\"delivered\"}") }
        #expect((line?.split(separator: " ").last).flatMap { Double($0) } ?? 0 >= 2, "\(line ?? "no webhook counter")")

        let log = try #require(try a.json("webhook", "deliveries", "--webhook", String(s.webhook.prefix(8))) as? [[String: Any]])
        #expect(log.count == expected.count)
        #expect(log.allSatisfy { $0["delivered"] as? Bool == true })
        #expect(log.contains { ($0["attempts"] as? Int ?? 0) >= 3 }, "the delivery answered with 500 took several attempts")
    }

    /// Two relays on one PostgreSQL: a subscription made through one is listed and logged through the
    /// other, and each event, pushed through either, is delivered once, though both relays deliver.
    @Test func relaysOnOneDatabaseShareSubscriptionsAndDeliverEachEventOnce() throws {
        let cluster = try PostgresCluster.shared()
        let database = try cluster.createDatabase()
        let admin = try CLI()
        admin.extraEnvironment["HOOK_SECRET"] = Self.secret
        try admin.ok("init", "--team", "vision", "--name", "Ada")
        let audit = try #require(try admin.json("audit") as? [String: Any])
        let team = try #require((audit["entries"] as? [[String: Any]])?.first?["event"] as? String)
        let first = try RelayProcess(team: team, database: database)
        let second = try RelayProcess(team: team, database: database)
        try admin.ok("remote", "add", "origin", first.url)
        try admin.ok("remote", "add", "other", second.url)
        try admin.ok("sync", "origin")
        let receiver = try WebhookReceiver(folder: admin.root.appendingPathComponent("receiver"), secret: Self.secret)
        defer { receiver.stop() }
        let created = try #require(
            try admin.json("webhook", "add", receiver.url, "--events", "*", "--secret-env", "HOOK_SECRET", "--remote", "origin") as? [String: Any])
        let webhook = try #require(created["id"] as? String)
        let listed = try #require(try admin.json("webhook", "list", "--remote", "other") as? [[String: Any]])
        #expect(listed.map { $0["id"] as? String } == [webhook])
        // A slow receiver: each delivery is in flight for a second, while the other relay keeps polling.
        try receiver.mode("slow 1")

        let run = try admin.ok("run", "start", "--experiment", "hooks", "--name", "r1").trimmingCharacters(in: .whitespacesAndNewlines)
        try admin.ok("model", "create", "digits")
        try admin.ok("sync", "origin")
        try admin.ok("model", "version", "create", "digits", "--run", run)
        try admin.ok("comment", "add", "digits", "pushed through the other relay")
        try admin.ok("sync", "other")
        let expected = 3
        _ = try receiver.wait(seconds: 30, "every event") { Set($0.filter { $0.status == 200 }.compactMap(\.eventID)).count >= expected }
        // Both relays keep looking for due events; a repeat would come within their next polls.
        Thread.sleep(forTimeInterval: 3)
        let delivered = receiver.entries().filter { $0.status == 200 }
        #expect(delivered.count == expected, "each event once: \(delivered.map { $0.eventID ?? "" })")
        #expect(delivered.allSatisfy { $0.verified })
        let log = try #require(try admin.json("webhook", "deliveries", "--remote", "other") as? [[String: Any]])
        #expect(log.count == expected)
        #expect(log.allSatisfy { $0["delivered"] as? Bool == true })
        try admin.ok("webhook", "remove", webhook, "--remote", "other")
        #expect((try admin.json("webhook", "list", "--remote", "origin") as? [[String: Any]])?.isEmpty == true)
    }

    /// Payloads carry MLflow's fields, `webhook test` sends MLflow's example, and the API is for
    /// maintainers, refuses unknown events and link-local or metadata addresses, and removes.
    /// Promotion requests and decisions as webhook events: a request is `created`; a decision is
    /// `rejected`, `approved`, or `completed` when it is the approval that reached the quorum; a webhook
    /// subscribed to `completed` alone gets that approval only.
    @Test func promotionRequestsAndDecisionsAreTheirOwnEvents() throws {
        let s = try Setup()
        defer { s.receiver.stop() }
        let a = s.admin
        let done = try WebhookReceiver(folder: a.root.appendingPathComponent("completed"), secret: Self.secret)
        defer { done.stop() }
        try a.ok("webhook", "add", done.url, "--events", "promotion_request.completed", "--secret-env", "HOOK_SECRET")
        let run = try a.ok("run", "start", "--experiment", "hooks", "--name", "r1").trimmingCharacters(in: .whitespacesAndNewlines)
        try a.ok("model", "create", "digits")
        try a.ok("model", "version", "create", "digits", "--run", run)
        try a.ok("model", "version", "create", "digits", "--run", run)
        func request(_ version: String) throws -> String {
            let out = try a.ok("model", "request", "digits", version, "--to", "production", "--reason", "better on holdout")
            return try #require(out.split(separator: " ").dropFirst().first.map { String($0.dropLast()) })
        }
        // One approval is the quorum: the request completes at it.
        try a.ok("team", "protect", "production", "--role", "maintainer", "--approvals", "1")
        let first = try request("1")
        try a.ok("model", "approve", first, "--reason", "checked")
        // Two are needed: one approval leaves it open; another request is rejected.
        try a.ok("team", "protect", "production", "--role", "maintainer", "--approvals", "2")
        let second = try request("2")
        try a.ok("model", "approve", second, "--reason", "one of two")
        let third = try request("2")
        try a.ok("model", "reject", third, "--reason", "latency doubled")
        try a.ok("sync")

        let all = try s.receiver.wait(seconds: 60, "promotion events") { $0.filter { $0.entity == "promotion_request" }.count >= 6 }
        let promotions = all.filter { $0.entity == "promotion_request" }
        #expect(promotions.map(\.action) == ["created", "completed", "created", "approved", "created", "rejected"])
        #expect(promotions.allSatisfy { $0.verified && $0.sameAsMLflow })
        let completed = try done.wait(seconds: 60, "the completed event") { !$0.isEmpty }
        Thread.sleep(forTimeInterval: 1)
        #expect(
            done.entries().count == 1 && completed.first?.action == "completed"
                && (completed.first?.data["request"] as? String)?.hasPrefix(first) == true)
    }

    @Test func payloadsTestsAndRefusals() throws {
        let s = try Setup()
        defer { s.receiver.stop() }
        let a = s.admin
        let run = try a.ok("run", "start", "--experiment", "hooks", "--name", "r1").trimmingCharacters(in: .whitespacesAndNewlines)
        try a.ok("model", "create", "digits")
        try a.ok("model", "version", "create", "digits", "--run", run)
        try a.ok("model", "promote", "digits", "1", "--to", "production", "--reason", "first model")
        try a.ok("sync")
        let got = try s.receiver.wait(seconds: 30, "three deliveries") { $0.filter { $0.status == 200 }.count >= 3 }
        let byName = Dictionary(got.map { ("\($0.entity).\($0.action)", $0.data) }, uniquingKeysWith: { first, _ in first })
        #expect(byName["registered_model.created"]?["name"] as? String == "digits")
        let version = try #require(byName["model_version.created"])
        #expect(version["name"] as? String == "digits" && version["version"] as? String == "1" && version["run_id"] as? String == run)
        let alias = try #require(byName["model_version_alias.created"])
        #expect(alias["alias"] as? String == "production" && alias["version"] as? String == "1" && alias["reason"] as? String == "first model")

        let result = try #require(try a.json("webhook", "test", String(s.webhook.prefix(6)), "--event", "model_version.created") as? [String: Any])
        #expect(result["success"] as? Bool == true && result["responseStatus"] as? Int == 200)
        let test = try s.receiver.wait(seconds: 10, "the test delivery") { $0.contains { $0.test } }.first { $0.test }
        #expect(test?.verified == true && test?.data["name"] as? String == "example_model")

        let refused = try a.run("webhook", "add", "http://169.254.169.254/latest/meta-data", "--events", "*", "--secret-env", "HOOK_SECRET")
        #expect(!refused.ok && refused.stderr.contains("link-local"), "\(refused.stderr)")
        let unknown = try a.run("webhook", "add", s.receiver.url, "--events", "model.promoted", "--secret-env", "HOOK_SECRET")
        #expect(!unknown.ok && unknown.stderr.contains("not a webhook event"))
        let badURL = try a.run("webhook", "add", "ftp://files.example.org/hook", "--events", "*", "--secret-env", "HOOK_SECRET")
        #expect(!badURL.ok && badURL.stderr.contains("not an http(s) URL"), "\(badURL.stderr)")
        let noSecret = try a.run("webhook", "add", s.receiver.url, "--events", "*", "--secret-env", "NO_SUCH_VARIABLE")
        #expect(!noSecret.ok && noSecret.stderr.contains("NO_SUCH_VARIABLE"))

        // A writer may not manage webhooks.
        let writer = try CLI()
        writer.extraEnvironment["HOOK_SECRET"] = Self.secret
        try writer.ok("identity", "create", "--name", "Wes")
        let key = try #require((try writer.json("identity", "show") as? [String: Any])?["publicKey"] as? String)
        try a.ok("team", "add", key, "--role", "writer", "--name", "Wes")
        try a.ok("sync")
        try writer.ok("init", "--join", s.relay.url)
        let forbidden = try writer.run("webhook", "list")
        #expect(!forbidden.ok && forbidden.stderr.contains("maintainer"), "\(forbidden.stderr)")

        #expect((try a.json("webhook", "list") as? [Any])?.count == 1, "refused subscriptions change nothing")
        try a.ok("webhook", "remove", String(s.webhook.prefix(8)))
        #expect((try a.json("webhook", "list") as? [Any])?.isEmpty == true)
    }
}
