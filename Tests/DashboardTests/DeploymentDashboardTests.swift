import Foundation
import LedgerTestSupport
import Testing

/// A model page on the real `mledger ui` shows the environment timeline, production metrics per version
/// beside training values, and alerts with the run each started, in the relay's dashboard too.
@Suite struct DeploymentDashboardTests {
    @Test func theModelPageShowsDeploymentsProductionMetricsAndAlerts() async throws {
        let f = try DashboardFixture()
        let cli = f.cli
        try cli.ok("model", "version", "create", f.model, "--run", f.otherRun)
        try cli.ok(
            "deploy", "record", "\(f.model)@production", "--env", "production", "--target", "<b>Lovelace</b>", "--reason", DashboardFixture.reason)
        try cli.ok("deploy", "record", f.model, "2", "--env", "production", "--reason", "v2 canary passed")
        try cli.ok("deploy", "rollback", f.model, "--env", "production", "--reason", "loss rose in production")
        let now = Int64(Date().timeIntervalSince1970 * 1000) + 1000
        for (i, loss) in [0.2, 0.6, 0.7].enumerated() {
            try cli.ok("monitor", "log", "--env", "production", "loss=\(loss)", "--timestamp", String(now + Int64(i) * 1000))
        }
        let retrain = "\(CLI.binary.path) run start --experiment mnist --name retrained"
        try cli.ok(
            "monitor", "rule", "add", f.model, "--env", "production", "--metric", "loss", "--above", "0.5", "--for", "1s", "--then", "run", retrain)
        #expect(!(try cli.ok("monitor", "watch", "--once")).isEmpty)
        let runs = try #require((try cli.json("monitor", "alerts", f.model) as? [[String: Any]])?.first?["runs"] as? [String])

        let ui = try LocalDashboardTests.LocalUI(cli)
        let web = try WebClient(url: ui.url)
        #expect(try await web.signIn(ui.url).status == 200)
        let page = try await web.get("/models/\(try f.modelID)")
        #expect(page.status == 200)
        expectNoInjectedMarkup(page.text)
        #expect(page.text.contains("<h2>Deployments</h2>") && page.text.contains("<h3>production</h3>"))
        #expect(page.text.contains("class=\"env-timeline\""))
        #expect(page.text.contains("ROLLBACK") && page.text.contains("SERVING"))
        #expect(page.text.contains("loss rose in production"))
        #expect(page.text.contains("<h2>Production metrics by version</h2>") && page.text.contains("loss in production"))
        #expect(page.text.contains("href=\"runs/\(try #require(runs.first))"))
        #expect(page.text.contains("retraining"))

        try cli.ok("sync")
        let relayWeb = try WebClient(url: f.relay.url)
        #expect(try await relayWeb.signIn(try f.signInLink()).status == 200)
        let relayPage = try await relayWeb.get("/models/\(try f.modelID)")
        #expect(relayPage.text.contains("<h3>production</h3>") && relayPage.text.contains("Production metrics by version"))
    }
}
