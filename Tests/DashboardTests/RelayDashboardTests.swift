import Foundation
import LedgerProtocol
import LedgerStore
import LedgerTestSupport
import LedgerWeb
import Testing

/// The relay's dashboard over real HTTP: nothing without a signed, fresh, unused link; every page
/// rendered from the synced ledger with untrusted text escaped.
@Suite struct RelayDashboardTests {
    @Test func withoutASessionThereIsOnlyTheSignInPage() async throws {
        let f = try DashboardFixture()
        let web = try WebClient(url: f.relay.url)
        for path in ["/", "/models", "/audit", "/experiments/\(try f.experimentID)", "/runs/\(f.run)", "/models/\(try f.modelID)"] {
            let page = try await web.get(path)
            #expect(page.status == 401, "\(path) answered \(page.status)")
            #expect(page.text.contains("mledger open"))
            #expect(!page.text.contains("mnist") && !page.text.contains("digits") && !page.text.contains("alert"))
        }
        // A forged cookie is no session.
        web.cookie = "mledger_session=" + String(repeating: "ab", count: 32)
        #expect(try await web.get("/").status == 401)
    }

    @Test func signInLinksAreSignedSingleUseAndBecomeAStrictHttpOnlyCookie() async throws {
        let f = try DashboardFixture()
        let signedAt = wallClockMs()
        let link = try f.signInLink(page: "/models")
        let web = try WebClient(url: f.relay.url)
        let signedIn = try await web.signIn(link)
        #expect(signedIn.status == 200)
        let cookie = try #require(signedIn.headers["set-cookie"])
        #expect(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict") && cookie.contains("Path=/"))
        #expect(signedIn.text.contains("url=/models"))
        #expect(try await web.get("/models").status == 200)

        // The same link again: refused, and no new session.
        let replay = WebClient(port: web.transport.port)
        let again = try await replay.signIn(link)
        #expect(
            again.status == 401 && Replay.refused(again.text, signedAtMs: signedAt, replay: "already used", tooOld: "expired"),
            "the replayed link got: \(again.text)")
        #expect(again.headers["set-cookie"] == nil)

        // Any change to a signed part breaks the signature.
        let tampered = try f.signInLink(page: "/").replacingOccurrences(of: "next=%2F", with: "next=%2Faudit")
        let forged = try await WebClient(url: f.relay.url).signIn(tampered)
        #expect(forged.status == 401 && forged.text.contains("signature"))

        // A link signed by a key that is not a member.
        let stranger = try CLI()
        try stranger.ok("init", "--team", "other", "--name", "Mallory")
        try stranger.ok("remote", "add", "origin", f.relay.url)
        let foreign = try #require((try stranger.json("open", "--no-browser") as? [String: Any])?["url"] as? String)
        let refused = try await WebClient(url: f.relay.url).signIn(foreign)
        #expect(refused.status == 401 && refused.text.contains("another team"))

        // Links made without `mledger open`: a stranger's key for this team, and a member's stale link.
        let teamHex = try #require((try f.cli.json("team", "list") as? [String: Any])?["team"] as? String)
        let team = try #require(LedgerID(hex: teamHex))
        func url(_ l: LoginLink) -> String { f.relay.url + LoginLink.path + "?" + Links.query(l.queryItems) }
        let outsider = LoginLink.sign(team: team, next: "/", key: SigningKey.generate(), nowMs: wallClockMs())
        let notMember = try await WebClient(url: f.relay.url).signIn(url(outsider))
        #expect(notMember.status == 401 && notMember.text.contains("not a member"))
        let member = try IdentityStore(directory: f.cli.config).load { nil }
        let stale = LoginLink.sign(team: team, next: "/", key: member, nowMs: wallClockMs() - 6 * 60 * 1000)
        let expired = try await WebClient(url: f.relay.url).signIn(url(stale))
        #expect(expired.status == 401 && expired.text.contains("expired"))

        // An open redirect through `next` is not possible.
        let outward = try await WebClient(url: f.relay.url).signIn(
            try f.signInLink(page: "/x").replacingOccurrences(of: "next=%2Fx", with: "next=%2F%2Fevil.example"))
        #expect(outward.status == 401)
    }

    @Test func aRemovedMemberLosesTheirSession() async throws {
        let f = try DashboardFixture()
        let bob = try CLI()
        try bob.ok("identity", "create", "--name", "Bob")
        let bobKey = try #require((try bob.json("identity", "show") as? [String: Any])?["publicKey"] as? String)
        try f.cli.ok("team", "add", bobKey, "--role", "writer", "--name", "Bob")
        try f.cli.ok("sync")
        try bob.ok("init", "--join", f.relay.url)
        let link = try #require((try bob.json("open", "--no-browser") as? [String: Any])?["url"] as? String)
        let web = try WebClient(url: f.relay.url)
        #expect(try await web.signIn(link).status == 200)
        #expect(try await web.get("/models").status == 200)

        try f.cli.ok("team", "remove", bobKey, "--reason", "left the team")
        try f.cli.ok("sync")
        #expect(try await web.get("/models").status == 401)
        let audit = try await WebClient(url: f.relay.url).signIn(try f.signInLink(page: "/audit"))
        #expect(audit.status == 200)
    }

    @Test func everyPageRendersTheLedgerWithUntrustedTextEscaped() async throws {
        let f = try DashboardFixture()
        let web = try WebClient(url: f.relay.url)
        try await web.signIn(try f.signInLink())
        let escapedRun = "&lt;script&gt;alert(&quot;run&quot;)&lt;/script&gt;"

        let home = try await web.get("/")
        #expect(home.status == 200 && home.text.contains("mnist") && home.text.contains("<td class=\"num\">2</td>"))
        #expect(home.headers["content-security-policy"]?.contains("default-src 'none'") == true)

        let table = try await web.get("/experiments/\(try f.experimentID)")
        #expect(table.text.contains(escapedRun) && table.text.contains("second") && table.text.contains("params.lr"))
        let filtered = try await web.get("/experiments/\(try f.experimentID)?filter=params.lr+%3D+0.02")
        #expect(filtered.text.contains("1 of 2 runs match") && filtered.text.contains("second") && !filtered.text.contains(escapedRun))
        let sorted = try await web.get("/experiments/\(try f.experimentID)?sort=metrics.loss%3Amin&order=asc")
        let first = try #require(sorted.text.range(of: escapedRun))
        let second = try #require(sorted.text.range(of: ">second<"))
        #expect(first.lowerBound < second.lowerBound, "the run with the lower minimum loss comes first")
        let badFilter = try await web.get("/experiments/\(try f.experimentID)?filter=bogus+%3D+1")
        #expect(badFilter.status == 200 && badFilter.text.contains("Filter:"))

        let run = try await web.get("/runs/\(f.run)")
        #expect(
            run.text.contains("<svg") && run.text.contains("<polyline") && run.text.contains("<rect class=\"band\"")
                && run.text.contains("<title>loss step 0: 1</title>") && run.text.contains("<title>loss: "))
        #expect(run.text.contains(escapedRun) && run.text.contains("&lt;script&gt;alert(&quot;comment&quot;)&lt;/script&gt; looks good"))
        #expect(run.text.contains("lr") && run.text.contains("0.01"))
        #expect(run.text.contains("weights.bin") && run.text.contains(DashboardFixture.artifactHash))

        let compare = try await web.get("/compare?run=\(f.run)&run=\(f.otherRun)")
        #expect(compare.status == 200 && compare.text.contains("Compare 2 runs"))
        #expect(compare.text.contains("<tr class=\"diff\"><td>lr</td>") && compare.text.contains("<tr class=\"same\"><td>epochs</td>"))
        #expect(compare.text.components(separatedBy: "<polyline").count - 1 == 4, "two metrics, two runs each")
        #expect(try await web.get("/compare?run=\(f.run)").status == 400)

        let models = try await web.get("/models")
        #expect(models.text.contains("digits") && models.text.contains("production"))

        let model = try await web.get("/models/\(try f.modelID)")
        #expect(model.text.contains("&lt;img src=x onerror=alert(&quot;reason&quot;)&gt;"))
        #expect(model.text.contains("SIGNATURE VERIFIED") && model.text.contains("promoted <strong>production</strong>"))
        #expect(model.text.contains("Ada &lt;b&gt;Lovelace&lt;/b&gt;") && model.text.contains("href=\"runs/\(f.run.prefix(8))\""))
        #expect(!model.text.contains("/promote") && !model.text.contains("action=\"comments\""), "the relay's dashboard is read-only")

        let audit = try await web.get("/audit")
        #expect(
            audit.text.contains("commented") && audit.text.contains("added member Ada &lt;b&gt;Lovelace&lt;/b&gt;")
                && audit.text.contains("as admin, founding team vision"))
        // The relay's own log, and Ada as its witness: her cosignature is a prefix of the relay's tree.
        #expect(audit.text.contains("<td>this relay") && audit.text.contains("Witnesses of this relay"))
        #expect(audit.text.contains("<td>Ada &lt;b&gt;Lovelace&lt;/b&gt;</td>") && !audit.text.contains("<strong>no</strong>"))

        for page in [home, table, run, compare, models, model, audit] { expectNoInjectedMarkup(page.text) }
        #expect(try await web.get("/runs/ffffffff").status == 404)
        #expect(try await web.post("/comments", form: [("text", "x")]).status != 303, "no writes on the relay")
    }
}

extension RelayDashboardTests {
    /// An admin replaces her member key: the relay learns of it from the old key, the new key signs in,
    /// and the dashboard's audit trail shows the rotation under her name.
    @Test func aRotatedKeySignsInAndTheAuditShowsTheRotation() async throws {
        let f = try DashboardFixture()
        let before = try #require((try f.cli.json("identity", "show") as? [String: Any])?["publicKey"] as? String)
        #expect(try f.cli.ok("identity", "rotate").contains("Rotated"))
        let after = try #require((try f.cli.json("identity", "show") as? [String: Any])?["publicKey"] as? String)
        #expect(before != after)
        try f.cli.ok("sync")
        let web = try WebClient(url: f.relay.url)
        let signIn = try await web.signIn(try f.signInLink(page: "/audit"))
        #expect(signIn.status == 200)
        let audit = try await web.get("/audit")
        #expect(audit.status == 200 && audit.text.contains("a new key replacing Ada"))
    }
}
