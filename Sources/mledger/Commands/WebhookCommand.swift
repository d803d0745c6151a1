import ArgumentParser
import Foundation
import LedgerProtocol
import LedgerSync
import LedgerWebhooks

struct WebhookCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "webhook",
        abstract: "Manage the relay's webhooks: lifecycle events POSTed to your URLs, signed as MLflow 3 signs them.",
        discussion: """
            The relay delivers each subscribed event at least once, in the order it arrived, retrying a \
            failing receiver with growing waits (1 s doubling to an hour), and keeps a delivery log. \
            Deliveries carry X-MLflow-Delivery-Id, X-MLflow-Timestamp and X-MLflow-Signature (HMAC-SHA256 of \
            `delivery_id.timestamp.payload` with the secret), so a receiver written for MLflow verifies them \
            unchanged; a retry keeps its delivery id. Needs the maintainer or admin role.

            Events: \(WebhookCatalog.table.map { "\($0.event.name) (\($0.kind))" }.joined(separator: ", ")).
            """,
        subcommands: [Add.self, List.self, Remove.self, Test.self, Deliveries.self]
    )

    /// Which relay, and this device's key to sign for it.
    struct RelayOptions: ParsableArguments {
        @Option(help: "The remote (default: the only one, or 'origin').") var remote: String?

        func client() throws -> RelayClient {
            let session = try Session.open()
            let remote = try Sync.remote(session, remote)
            guard let url = URL(string: remote.url) else { throw ValidationError("remote \(remote.name) has no valid URL: \(remote.url)") }
            return try RelayClient(baseURL: url, key: try session.signer())
        }

        /// A subscription named by its id or a unique prefix of it.
        func resolve(_ text: String, with client: RelayClient) async throws -> String {
            let all = try await Self.listing(client).webhooks
            let hits = all.filter { $0.id.hasPrefix(text.lowercased()) }
            guard hits.count == 1, !text.isEmpty else {
                throw ValidationError(
                    hits.isEmpty ? "no webhook '\(text)': `mledger webhook list` shows them" : "'\(text)' names several webhooks: give more digits")
            }
            return hits[0].id
        }

        struct Listing: Decodable {
            var webhooks: [Subscription]
        }

        static func listing(_ client: RelayClient) async throws -> Listing {
            try JSONDecoder().decode(Listing.self, from: Data(try await client.json("GET", "/v1/webhooks")))
        }
    }

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Subscribe a URL to lifecycle events from now on.",
            usage: """
                MY_HOOK_SECRET=... mledger webhook add https://hooks.example.org/mlflow --events model_version_alias.created --secret-env MY_HOOK_SECRET
                  mledger webhook add http://127.0.0.1:9000/hook --events '*' --secret-env HOOK_SECRET --name ci
                """
        )
        @Argument(help: "The receiver's http(s) URL.") var url: String
        @Option(name: .long, parsing: .upToNextOption, help: "Events, comma-separated or repeated ('*' for all): see `mledger webhook --help`.")
        var events: [String]
        @Option(help: "The environment variable holding the signing secret (the secret never goes on the command line).")
        var secretEnv: String
        @Option(help: "A name for the subscription.") var name: String?
        @Option(help: "What it is for.") var description: String?
        @OptionGroup var relay: RelayOptions
        @OptionGroup var output: OutputOptions

        struct CreateBody: Encodable {
            var url: String
            var events: [String]
            var secret: String
            var name: String
            var description: String?
        }

        func run() async throws {
            let parsed = try WebhookCatalog.parse(events)
            guard let secret = ProcessInfo.processInfo.environment[secretEnv], !secret.isEmpty else {
                throw ValidationError("$\(secretEnv) is not set or empty: export the signing secret in it")
            }
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            let bytes = try encoder.encode(
                CreateBody(url: url, events: parsed.map(\.name), secret: secret, name: name ?? url, description: description))
            let created = try JSONDecoder().decode(
                Subscription.self, from: Data(try await relay.client().json("POST", "/v1/webhooks", body: Array(bytes))))
            if output.json { return try Output.json(created) }
            print("Added webhook \(created.id) -> \(created.url) for \(created.events.map(\.name).joined(separator: ", "))")
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the relay's webhooks and how far each got.")
        @OptionGroup var relay: RelayOptions
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let webhooks = try await RelayOptions.listing(try relay.client()).webhooks
            if output.json { return try Output.json(webhooks) }
            if webhooks.isEmpty { return print("No webhooks: add one with `mledger webhook add URL --events ... --secret-env VAR`.") }
            Output.table(
                ["ID", "URL", "EVENTS", "STATUS", "POSITION", "FAILING"],
                webhooks.map {
                    [
                        String($0.id.prefix(12)), $0.url,
                        $0.events.count == WebhookCatalog.table.count ? "*" : $0.events.map(\.name).joined(separator: ","),
                        $0.active ? "active" : "disabled",
                        String($0.cursor), $0.failures > 0 ? "\($0.failures) attempts" : "",
                    ]
                })
        }
    }

    struct Remove: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Remove a webhook (its delivery log stays).", usage: "mledger webhook remove 3fa9c1")
        @Argument(help: "The webhook's id or a unique prefix.") var id: String
        @OptionGroup var relay: RelayOptions
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let client = try relay.client()
            let full = try await relay.resolve(id, with: client)
            _ = try await client.json("DELETE", "/v1/webhooks/\(full)")
            if output.json { return try Output.json(["removed": full]) }
            print("Removed webhook \(full)")
        }
    }

    struct Test: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Send MLflow's example payload to a webhook now, signed; exits 1 unless the receiver answers 2xx.",
            usage: "mledger webhook test 3fa9c1 --event model_version.created")
        @Argument(help: "The webhook's id or a unique prefix.") var id: String
        @Option(help: "The event to imitate (default: the webhook's first).") var event: String?
        @OptionGroup var relay: RelayOptions
        @OptionGroup var output: OutputOptions

        func run() async throws {
            if let event { _ = try WebhookCatalog.parse([event]) }
            let client = try relay.client()
            let full = try await relay.resolve(id, with: client)
            let body = try JSONSerialization.data(withJSONObject: event.map { ["event": $0] } ?? [:], options: [.sortedKeys])
            let result = try JSONDecoder().decode(
                AttemptResult.self, from: Data(try await client.json("POST", "/v1/webhooks/\(full)/test", body: Array(body))))
            if output.json {
                try Output.json(result)
            } else if result.success {
                print("Delivered: the receiver answered \(result.responseStatus ?? 0)")
            } else {
                print("Not delivered: \(result.errorMessage ?? "the receiver answered \(result.responseStatus ?? 0)")")
            }
            if !result.success { throw ExitCode(1) }
        }
    }

    struct Deliveries: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "The delivery log, newest first: each event sent to each webhook, attempts and the last answer.",
            usage: "mledger webhook deliveries --webhook 3fa9c1 --limit 20")
        @Option(help: "Only this webhook (id or unique prefix).") var webhook: String?
        @Option(help: "At most this many entries.") var limit = 50
        @OptionGroup var relay: RelayOptions
        @OptionGroup var output: OutputOptions

        struct Log: Decodable {
            var deliveries: [Delivery]
        }

        func run() async throws {
            guard (1...10_000).contains(limit) else { throw ValidationError("--limit must be between 1 and 10000") }
            let client = try relay.client()
            var target = "/v1/webhooks/deliveries?limit=\(limit)"
            if let webhook { target += "&webhook=\(try await relay.resolve(webhook, with: client))" }
            let log = try JSONDecoder().decode(Log.self, from: Data(try await client.json("GET", target))).deliveries
            if output.json { return try Output.json(log) }
            if log.isEmpty { return print("No deliveries yet.") }
            Output.table(
                ["DELIVERY", "WEBHOOK", "EVENT", "POSITION", "ATTEMPTS", "STATE", "LAST ANSWER"],
                log.map {
                    [
                        $0.deliveryID, String($0.webhook.prefix(12)), $0.event, String($0.position), String($0.attempts),
                        $0.delivered ? "delivered" : "retrying",
                        $0.responseStatus.map(String.init) ?? ($0.error ?? ""),
                    ]
                })
        }
    }
}
