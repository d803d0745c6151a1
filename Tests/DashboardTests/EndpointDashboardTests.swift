import Foundation
import LedgerTestSupport
import Testing

/// The MLflow tracking URI opens the workspace's dashboard: a browser (which never has the API token)
/// gets the sign-in page, the address `mledger serve` prints signs it in, and `mledger run` ends with a
/// link to its run.
@Suite struct EndpointDashboardTests {
    @Test func theTrackingURIOpensTheDashboard() async throws {
        let cli = try CLI()
        try cli.ok("init", "--team", "vision", "--name", "Ada Tester")
        try cli.ok("experiment", "create", "wrapped <b>runs</b>")
        let serve = cli.process(["serve", "--port", "0"])
        let out = Pipe()
        serve.standardOutput = out
        serve.standardError = FileHandle.nullDevice
        try serve.run()
        defer {
            serve.terminate()
            serve.waitUntilExit()
        }
        let (_, printed) = ListeningLine.read(out, seconds: 30)
        let link = try #require(
            printed.firstMatch(of: /Dashboard: (http:\/\/127\.0\.0\.1:\d+\/login\?token=[0-9a-f]+&next=\/)/)?.1, "mledger serve printed: \(printed)")
        let web = try WebClient(url: String(link))

        // What the mlflow client's `View run at URI/#/experiments/...` link sends: the bare tracking URI.
        let signedOut = try await web.get("/")
        #expect(signedOut.status == 401 && signedOut.text.contains("mledger serve"))
        let api = try await web.get("/api/2.0/mlflow/experiments/search?max_results=10")
        #expect(api.status == 401 && api.text.contains("UNAUTHENTICATED"), "the API still needs the token")

        #expect(try await web.signIn(String(link)).status == 200)
        let home = try await web.get("/")
        #expect(home.status == 200 && home.text.contains("wrapped &lt;b&gt;runs&lt;/b&gt;"))

        // `mledger run` uses the running endpoint and ends with a sign-in link that opens its run.
        let r = try cli.execute(["run", "--experiment", "wrapped <b>runs</b>", "--", "/bin/true"])
        #expect(r.ok, "mledger run failed: \(r.stderr)")
        let runLink = try #require(r.stderr.firstMatch(of: /dashboard: (http:\S+next=\/runs\/([0-9a-f]{64}))/), "mledger run said: \(r.stderr)")
        let browser = try WebClient(url: String(runLink.1))
        let landed = try await browser.signIn(String(runLink.1))
        #expect(landed.status == 200 && landed.text.contains("/runs/\(runLink.2)"))
        let runPage = try await browser.get("/runs/\(runLink.2)")
        #expect(runPage.status == 200 && runPage.text.contains("finished"))
    }
}
