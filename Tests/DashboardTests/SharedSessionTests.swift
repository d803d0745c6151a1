import Foundation
import LedgerTestSupport
import Testing

/// Relays on one PostgreSQL share dashboard sessions: a browser that a load balancer sends from one relay
/// to another stays signed in, and signing out through one signs out of all.
@Suite struct SharedSessionTests {
    @Test func aBrowserBouncedBetweenRelaysStaysSignedIn() async throws {
        let (cli, relays) = try Self.teamOnTwoRelays(database: "sessions", making: ["experiment", "create", "mnist"])
        let (first, second) = (relays[0], relays[1])
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

    /// Behind a balancer that serves the relays under `/mledger/`: the sign-in link, the move to the
    /// asked page and every link of the pages stay under the prefix, whichever relay answers.
    @Test func theDashboardWorksUnderAPathPrefix() async throws {
        let (cli, relays) = try Self.teamOnTwoRelays(database: "prefix", making: ["model", "create", "digits"])
        let balancer = try NginxBalancer(relayPorts: relays.map(\.port))
        try cli.ok("remote", "add", "origin", balancer.url + "/mledger/")
        try cli.ok("sync")

        let link = try signIn(cli, page: "/models")
        #expect(link.hasPrefix(balancer.url + "/mledger/login?"), "\(link)")
        let browser = try WebClient(url: balancer.url)
        let signedIn = try await browser.signIn(link)
        #expect(signedIn.status == 200 && signedIn.text.contains("url=/mledger/models\""), "\(signedIn.text)")
        let models = try await browser.get("/mledger/models")
        #expect(models.status == 200 && models.text.contains("<base href=\"/mledger/\">"))
        // Every link on the page is relative (to the base), and each one answers under the prefix.
        let links = Self.links(in: models.text)
        #expect(links.contains("models") && links.contains { $0.hasPrefix("models/") }, "\(links)")
        for link in links {
            #expect(!link.hasPrefix("/"), "\(link) would leave the prefix")
            let page = try await browser.get("/mledger/" + (link == "./" ? "" : link))
            #expect(page.status == 200, "/mledger/\(link) answered \(page.status)")
        }
        // A prefix header that is not a plain path is ignored.
        let direct = try WebClient(url: relays[0].url)
        direct.cookie = browser.cookie
        direct.headers = [("X-Forwarded-Prefix", "/x\"><script>")]
        let odd = try await direct.get("/models")
        #expect(odd.status == 200 && odd.text.contains("<base href=\"/\">") && !odd.text.contains("<script>"))
    }

    /// An admin's workspace that made one thing (`making`), and two relays of its team on one new database.
    static func teamOnTwoRelays(database prefix: String, making command: [String]) throws -> (CLI, [RelayProcess]) {
        let database = try PostgresCluster.shared().createDatabase(prefix: prefix)
        let cli = try CLI()
        try cli.ok("init", "--team", "vision", "--name", "Alice")
        _ = try cli.succeed(command)
        let team = try #require((try cli.json("team", "list") as? [String: Any])?["team"] as? String)
        return (cli, try (0..<2).map { _ in try RelayProcess(team: team, database: database) })
    }

    /// The `href` values of a page's anchors, stylesheet and forms' actions.
    static func links(in html: String) -> [String] {
        html.components(separatedBy: "href=\"").dropFirst().compactMap { $0.split(separator: "\"", maxSplits: 1).first.map(String.init) }
            .filter { $0 != "/mledger/" }
    }
}
