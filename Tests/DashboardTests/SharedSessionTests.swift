import Foundation
import LedgerTestSupport
import Testing

/// Relays on one PostgreSQL share dashboard sessions: a browser that a load balancer sends from one relay
/// to another stays signed in, and signing out through one signs out of all.
@Suite struct SharedSessionTests {
    @Test func aBrowserBouncedBetweenRelaysStaysSignedIn() async throws {
        let database = try PostgresCluster.shared().createDatabase(prefix: "sessions")
        let cli = try CLI()
        try cli.ok("init", "--team", "vision", "--name", "Alice")
        try cli.ok("experiment", "create", "mnist")
        let team = try #require((try cli.json("team", "list") as? [String: Any])?["team"] as? String)
        let first = try RelayProcess(team: team, database: database)
        let second = try RelayProcess(team: team, database: database)
        try cli.ok("remote", "add", "origin", first.url)
        try cli.ok("sync")

        let browser = try WebClient(url: first.url)
        #expect(try await browser.signIn(try signIn(cli, page: "/")).status == 200)
        let elsewhere = try WebClient(url: second.url)
        elsewhere.cookie = browser.cookie
        let page = try await elsewhere.get("/")
        #expect(page.status == 200 && page.text.contains("mnist"), "the second relay answered \(page.status)")

        // Signing out through the second relay ends the session on the first as well.
        _ = try await elsewhere.post("/logout", form: [])
        #expect(try await browser.get("/").status == 401)
    }
}
