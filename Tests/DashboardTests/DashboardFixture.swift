import Foundation
import LedgerTestSupport
import Testing

/// A workspace with a small ledger in which every name, reason and comment tries to inject markup,
/// synced to a real relay on 127.0.0.1.
final class DashboardFixture: @unchecked Sendable {
    static let runName = "<script>alert(\"run\")</script>"
    static let reason = "<img src=x onerror=alert(\"reason\")>"
    static let comment = "<script>alert(\"comment\")</script> looks good"

    static let artifact = "model weights"
    /// SHA-256 of `artifact`.
    static let artifactHash = "a2d42c4aa884e21216cbb8da4c7ba2fcf9b6033b2331666e666145c24caf7a38"

    let cli: CLI
    let relay: RelayProcess
    let run: String
    let otherRun: String
    let model = "digits"

    init() throws {
        cli = try CLI()
        try cli.ok("init", "--team", "vision", "--name", "Ada <b>Lovelace</b>")
        run = try cli.ok("run", "start", "--experiment", "mnist", "--name", Self.runName).trimmingCharacters(in: .whitespacesAndNewlines)
        otherRun = try cli.ok("run", "start", "--experiment", "mnist", "--name", "second").trimmingCharacters(in: .whitespacesAndNewlines)
        try cli.ok("run", "log-param", run, "lr=0.01", "epochs=10")
        try cli.ok("run", "log-param", otherRun, "lr=0.02", "epochs=10")
        try cli.ok("run", "log-batch", run, stdin: Self.series(points: 200, scale: 1))
        try cli.ok("run", "log-batch", otherRun, stdin: Self.series(points: 100, scale: 2))
        try Data(Self.artifact.utf8).write(to: cli.workspace.appendingPathComponent("weights.bin"))
        try cli.ok("run", "artifact", run, "weights.bin")
        try cli.ok("run", "finish", run)
        try cli.ok("model", "create", model)
        try cli.ok("model", "version", "create", model, "--run", run)
        try cli.ok("model", "promote", model, "1", "--to", "production", "--reason", Self.reason, "--evidence", "run:\(run.prefix(8))")
        try cli.ok("comment", "add", "\(model)@1", Self.comment)
        try cli.ok("comment", "add", run, Self.comment)
        let team = try #require((try cli.json("team", "list") as? [String: Any])?["team"] as? String)
        relay = try RelayProcess(team: team)
        try cli.ok("remote", "add", "origin", relay.url)
        try cli.ok("sync")
    }

    /// JSON lines of a falling loss and a rising accuracy.
    static func series(points: Int, scale: Double) -> String {
        (0..<points).map { "{\"step\": \($0), \"metrics\": {\"loss\": \(scale / Double($0 + 1)), \"acc\": \(Double($0) / (200 * scale))}}" }
            .joined(separator: "\n")
    }

    /// A fresh sign-in link to the relay's dashboard from `mledger open`.
    func signInLink(page: String = "/") throws -> String { try signIn(cli, page: page) }

    var experimentID: String {
        get throws {
            let runs = try #require(try cli.json("run", "list") as? [[String: Any]])
            return try #require(runs.first?["experimentID"] as? String)
        }
    }

    var modelID: String {
        get throws { try #require((try cli.json("model", "show", model) as? [String: Any])?["id"] as? String) }
    }
}

/// A fresh sign-in link to the relay's dashboard from `mledger open` in `cli`'s workspace.
func signIn(_ cli: CLI, page: String) throws -> String {
    let answer = try #require(try cli.json("open", "--page", page, "--no-browser") as? [String: Any])
    return try #require(answer["url"] as? String)
}

/// Markup that must never reach a page unescaped, whatever page it is.
func expectNoInjectedMarkup(_ html: String, sourceLocation: SourceLocation = #_sourceLocation) {
    for raw in ["<script", "<img src=x", "<b>Lovelace"] {
        #expect(!html.contains(raw), "page contains raw \(raw)", sourceLocation: sourceLocation)
    }
}
