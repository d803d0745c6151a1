import Foundation
import LedgerTestSupport
import Testing

/// `mledger ui`: the workspace's own ledger on 127.0.0.1, a secret token to get in, and forms that
/// sign comments and promotions with the local identity.
@Suite struct LocalDashboardTests {
    /// A running `mledger ui` and the address it printed.
    final class LocalUI: @unchecked Sendable {
        let process: Process
        let url: String

        init(_ cli: CLI) throws {
            process = cli.process(["ui", "--port", "0", "--no-browser"])
            let out = Pipe()
            process.standardOutput = out
            process.standardError = FileHandle.nullDevice
            try process.run()
            var text = ""
            let deadline = Date().addingTimeInterval(20)
            while Date() < deadline, !text.contains("\n") {
                let chunk = out.fileHandleForReading.availableData
                if chunk.isEmpty { break }
                text += String(decoding: chunk, as: UTF8.self)
            }
            let found = try #require(
                text.range(of: #"http://127\.0\.0\.1:\d+/login\?token=[0-9a-f]+&next=/"#, options: .regularExpression),
                "mledger ui printed: \(text)")
            url = String(text[found])
        }

        deinit {
            process.terminate()
            process.waitUntilExit()
        }
    }

    @Test func theTokenIsRequiredAndFormsSignWithTheLocalIdentity() async throws {
        let f = try DashboardFixture()
        let ui = try LocalUI(f.cli)
        let web = try WebClient(url: ui.url)
        #expect(try await web.get("/").status == 401)
        let wrong = try await web.signIn(ui.url.replacingOccurrences(of: "token=", with: "token=0"))
        #expect(wrong.status == 401 && web.cookie == nil)
        // The page after signing in is always on this server, whatever `next` says.
        for next in ["//evil.example/x", "/\\evil.example", "https://evil.example", "javascript:alert(1)"] {
            let page = try await WebClient(url: ui.url).signIn(ui.url.replacingOccurrences(of: "next=/", with: "next=" + WebClient.encode(next)))
            #expect(page.status == 200 && page.text.contains("content=\"0;url=/\""), "next=\(next)")
        }
        #expect(try await web.signIn(ui.url).status == 200)

        let runPage = try await web.get("/runs/\(f.run)")
        let token = try #require(runPage.text.firstMatch(of: /name="token" value="([0-9a-f]+)"/)?.1)
        expectNoInjectedMarkup(runPage.text)

        // Without the form token (another site posting through the browser): refused, nothing signed.
        let before = (try f.cli.json("verify") as? [String: Any])?["digest"] as? String
        let forged = try await web.post("/comments", form: [("target", f.run), ("text", "forged"), ("return", "/")])
        #expect(forged.status == 403)
        #expect((try f.cli.json("verify") as? [String: Any])?["digest"] as? String == before)

        let comment = "checked <b>on</b> the holdout"
        let posted = try await web.post(
            "/comments", form: [("token", String(token)), ("target", f.run), ("text", comment), ("return", "/runs/\(f.run)")])
        #expect(posted.status == 303 && posted.headers["location"] == "/runs/\(f.run)")
        #expect(try await web.get("/runs/\(f.run)").text.contains("checked &lt;b&gt;on&lt;/b&gt; the holdout"))

        let model = try #require(try f.cli.json("model", "show", f.model) as? [String: Any])
        let version = try #require((model["versions"] as? [[String: Any]])?.first?["id"] as? String)
        let modelID = try f.modelID
        let noReason = try await web.post(
            "/models/\(modelID)/promote", form: [("token", String(token)), ("version", version), ("alias", "staging"), ("reason", "  ")])
        #expect(noReason.status == 400)
        let strayVersion = try await web.post(
            "/models/\(modelID)/promote",
            form: [
                ("token", String(token)), ("version", String(repeating: "ab", count: 32)), ("alias", "staging"), ("reason", "stale form"),
            ])
        #expect(strayVersion.status == 404, "a version of no model (or another model) is not promoted")
        let strayTarget = try await web.post(
            "/comments", form: [("token", String(token)), ("target", String(repeating: "cd", count: 32)), ("text", "lost")])
        #expect(strayTarget.status == 404)
        let promoted = try await web.post(
            "/models/\(modelID)/promote",
            form: [
                ("token", String(token)), ("version", version), ("alias", "staging"), ("reason", "passes the dashboard review"),
                ("evidence", "acc=0.99, run:\(f.run.prefix(8))"),
            ])
        #expect(promoted.status == 303)
        let audit = try #require((try f.cli.json("audit", f.model) as? [String: Any])?["entries"] as? [[String: Any]])
        let staging = try #require(audit.first { $0["alias"] as? String == "staging" })
        #expect(staging["reason"] as? String == "passes the dashboard review")
        #expect(staging["evidence"] as? [String] == ["acc=0.99", "run:\(f.run.prefix(8))"])
        #expect(staging["signatureVerified"] as? Bool == true)
        let me = try #require((try f.cli.json("identity", "show") as? [String: Any])?["publicKey"] as? String)
        #expect((staging["author"] as? [String: Any])?["key"] as? String == me)

        let demoted = try await web.post(
            "/models/\(modelID)/demote", form: [("token", String(token)), ("alias", "staging"), ("reason", "rolled back")])
        #expect(demoted.status == 303)
        let aliases = try #require((try f.cli.json("model", "show", f.model) as? [String: Any])?["aliases"] as? [[String: Any]])
        #expect(aliases.map { $0["alias"] as? String } == ["production"])
        #expect(try f.cli.run("verify").ok)
    }
}
