import Foundation
import LedgerTestSupport
import Testing

/// MLflow's stage transitions and alias sets on an alias that needs approvals (SPEC 6.15) open a request
/// instead of moving it, say so in the answer, and the stock `mlflow` client still reads the answer.
@Suite(.serialized, .timeLimit(.minutes(10)))
struct ApprovalEndpointTests {
    @Test func stageTransitionsOnAProtectedAliasOpenARequest() throws {
        let python = try MLflowVenv.required()
        let cli = try CLI()
        let run = try cli.initWithRun()
        try cli.ok("model", "create", "digits")
        try cli.ok("model", "version", "create", "digits", "--run", run)
        try cli.ok("team", "protect", "production", "--role", "maintainer", "--approvals", "1")
        let server = try ServerProcess.mledger(cli)
        defer { server.stop() }

        let answer = try server.request(
            "POST", "/api/2.0/mlflow/model-versions/transition-stage", json: #"{"name": "digits", "version": "1", "stage": "Production"}"#)
        #expect(answer.status == 200)
        let body = try #require(answer.body as? [String: Any])
        #expect((body["model_version"] as? [String: Any])?["current_stage"] as? String == "None", "the version did not move")
        let opened = try #require(body["promotion_request"] as? [String: Any])
        #expect(opened["state"] as? String == "open" && opened["approvals_needed"] as? Int == 1)
        #expect((opened["message"] as? String)?.contains("opened instead of moving it") == true)

        // The stock client: both calls succeed, neither moves the alias.
        var env = ProcessInfo.processInfo.environment
        env["MLFLOW_TRACKING_URI"] = server.uri
        env["MLFLOW_TRACKING_TOKEN"] = server.token
        let script = """
            import json
            from mlflow import MlflowClient
            c = MlflowClient()
            mv = c.transition_model_version_stage("digits", "1", "Production")
            c.set_registered_model_alias("digits", "production", "1")
            print(json.dumps({"stage": mv.current_stage, "aliases": c.get_registered_model("digits").aliases}))
            """
        let r = try execute(python, ["-c", script], environment: env, seconds: 120)
        #expect(r.status == 0, "the mlflow client failed: \(r.stderr)")
        let printed = try #require(try JSONSerialization.jsonObject(with: Data((r.stdout.split(separator: "\n").last ?? "").utf8)) as? [String: Any])
        #expect(printed["stage"] as? String == "None")
        #expect((printed["aliases"] as? [String: Any])?.isEmpty == true)

        let requests = try #require(try cli.json("model", "requests", "digits", "--open") as? [[String: Any]])
        #expect(requests.count == 3)
        let first = try #require(opened["id"] as? String)
        try cli.ok("model", "approve", first, "--reason", "reviewed the MLflow transition")
        let alias = try server.request("GET", "/api/2.0/mlflow/registered-models/alias?name=digits&alias=production")
        #expect(((alias.body as? [String: Any])?["model_version"] as? [String: Any])?["version"] as? String == "1")
        // The other two named the alias as it was: it has moved on, so they expired.
        #expect((try cli.json("model", "requests", "digits", "--open") as? [[String: Any]])?.isEmpty == true)
    }

    /// Archiving is final in the ledger: MLflow's transition of an Archived version back to Production is
    /// refused with MLflow's INVALID_PARAMETER_VALUE and a message saying what to do, and nothing moves.
    @Test func anArchivedVersionDoesNotServeAgain() throws {
        let cli = try CLI()
        let run = try cli.initWithRun()
        try cli.ok("model", "create", "digits")
        try cli.ok("model", "version", "create", "digits", "--run", run)
        let server = try ServerProcess.mledger(cli)
        defer { server.stop() }
        let path = "/api/2.0/mlflow/model-versions/transition-stage"
        #expect(try server.request("POST", path, json: #"{"name": "digits", "version": "1", "stage": "Archived"}"#).status == 200)
        let count = try cli.eventCount()
        for (route, body) in [
            (path, #"{"name": "digits", "version": "1", "stage": "Production"}"#),
            ("/api/2.0/mlflow/registered-models/alias", #"{"name": "digits", "alias": "champion", "version": "1"}"#),
        ] {
            let refused = try server.request("POST", route, json: body)
            let error = refused.body as? [String: Any]
            #expect(refused.status == 400 && error?["error_code"] as? String == "INVALID_PARAMETER_VALUE", "\(route): \(refused.body ?? "")")
            #expect((error?["message"] as? String)?.contains("register its files as a new version") == true)
        }
        #expect(try cli.eventCount() == count, "nothing was signed")
    }
}
