import Foundation
import LedgerTestSupport
import Testing

/// Promotion requests on the dashboards: `mledger ui` requests, approves and rejects with the local key
/// behind the form token; the relay's dashboard shows requests, decisions and outcomes without forms.
@Suite struct ApprovalDashboardTests {
    @Test func theLocalDashboardRequestsAndApprovesAndTheRelayShowsTheOutcome() async throws {
        let f = try DashboardFixture()
        try f.cli.ok("team", "protect", "canary", "--role", "maintainer", "--approvals", "1")
        let ui = try LocalDashboardTests.LocalUI(f.cli)
        let web = try WebClient(url: ui.url)
        #expect(try await web.signIn(ui.url).status == 200)
        let modelID = try f.modelID
        let page = try await web.get("/models/\(modelID)")
        let token = String(try #require(page.text.firstMatch(of: /name="token" value="([0-9a-f]+)"/)?.1))
        let model = try #require(try f.cli.json("model", "show", f.model) as? [String: Any])
        let version = try #require((model["versions"] as? [[String: Any]])?.first?["id"] as? String)

        let direct = try await web.post(
            "/models/\(modelID)/promote", form: [("token", token), ("version", version), ("alias", "canary"), ("reason", "skip the queue")])
        #expect(direct.status == 400 && direct.text.contains("approval"), "a direct promotion of canary must be refused")
        let requested = try await web.post(
            "/models/\(modelID)/request", form: [("token", token), ("version", version), ("alias", "canary"), ("reason", "ready for canary")])
        #expect(requested.status == 303)
        let open = try await web.get("/models/\(modelID)")
        #expect(open.text.contains("Promotion requests") && open.text.contains("OPEN") && open.text.contains("/approve\""))
        let request = try #require((try f.cli.json("model", "requests", f.model) as? [[String: Any]])?.first?["id"] as? String)

        let forged = try await web.post("/requests/\(request)/approve", form: [("reason", "no token")])
        #expect(forged.status == 403)
        let blank = try await web.post("/requests/\(request)/approve", form: [("token", token), ("reason", " ")])
        #expect(blank.status == 400)
        let approved = try await web.post("/requests/\(request)/approve", form: [("token", token), ("reason", "canary metrics look fine")])
        #expect(approved.status == 303 && approved.headers["location"] == "/models/\(modelID)")
        let again = try await web.post("/requests/\(request)/reject", form: [("token", token), ("reason", "changed my mind")])
        #expect(again.status == 400 && again.text.contains("approved already"))

        let after = try #require(try f.cli.json("model", "show", f.model) as? [String: Any])
        let canary = try #require((after["aliases"] as? [[String: Any]])?.first { $0["alias"] as? String == "canary" })
        #expect(canary["request"] as? String == request && canary["versionNumber"] as? Int == 1)
        let audit = try #require((try f.cli.json("audit", f.model) as? [String: Any])?["entries"] as? [[String: Any]])
        let decision = try #require(audit.first { $0["action"] as? String == "approve" })
        #expect(decision["reason"] as? String == "canary metrics look fine" && decision["signatureVerified"] as? Bool == true)
        #expect((decision["text"] as? String)?.contains("reached the quorum") == true)

        try f.cli.ok("sync")
        let relay = try WebClient(url: f.relay.url)
        #expect(try await relay.signIn(try f.signInLink(page: "/models/\(modelID)")).status == 200)
        let shown = try await relay.get("/models/\(modelID)")
        #expect(shown.text.contains("APPROVED") && shown.text.contains("canary metrics look fine") && shown.text.contains("reached the quorum"))
        #expect(!shown.text.contains("/approve\""), "the relay holds no key: no approve form")
    }
}
