import Foundation
import LedgerTestSupport
import Testing

/// MLflow's webhook API on `mledger serve`, driven by the real mlflow client: create, list, get, update,
/// test and delete, then registry calls through the same client whose webhooks reach a receiver written
/// for MLflow, verified, in order.
@Suite(.serialized) struct ServeWebhookTests {
    static let script = """
        import json, os
        from mlflow import MlflowClient
        from mlflow.entities.webhook import WebhookEvent

        c = MlflowClient()
        url, secret = os.environ["HOOK_URL"], os.environ["HOOK_SECRET"]
        events = [WebhookEvent("registered_model", "created"), WebhookEvent("model_version", "created"),
                  WebhookEvent("model_version_alias", "created"), WebhookEvent("model_version_alias", "deleted")]
        w = c.create_webhook(name="ci", url=url, events=events, secret=secret, description="hooks for ci")
        out = {"id": w.webhook_id, "name": w.name, "status": w.status.value,
               "events": sorted(f"{e.entity.value}.{e.action.value}" for e in w.events)}
        out["listed"] = [x.webhook_id for x in c.list_webhooks()]
        out["got"] = c.get_webhook(w.webhook_id).description
        out["updated"] = c.update_webhook(w.webhook_id, description="updated").description
        t = c.test_webhook(w.webhook_id)
        out["test"] = {"success": t.success, "status": t.response_status}
        gone = c.create_webhook(name="gone", url=url, events=events[:1], secret=secret)
        c.delete_webhook(gone.webhook_id)
        try:
            c.get_webhook(gone.webhook_id)
        except Exception as e:
            out["deleted"] = str(e)
        try:
            c.create_webhook(name="bad", url=url, events=[WebhookEvent("model_version_tag", "set")], secret=secret)
        except Exception as e:
            out["bad_event"] = str(e)
        try:
            c.create_webhook(name="meta", url="http://169.254.169.254/latest", events=events, secret=secret)
        except Exception as e:
            out["metadata"] = str(e)
        run = c.create_run("0")
        c.create_registered_model("digits")
        v = c.create_model_version("digits", source=f"runs:/{run.info.run_id}/model", run_id=run.info.run_id)
        c.set_registered_model_alias("digits", "champion", v.version)
        c.delete_registered_model_alias("digits", "champion")
        out["run"] = run.info.run_id
        print(json.dumps(out))
        """

    @Test func mlflowClientManagesWebhooksAndGetsDeliveries() throws {
        let python = try MLflowVenv.required()
        let cli = try CLI()
        try cli.ok("init", "--team", "vision", "--name", "Ada")
        let secret = "serve-secret-\(UUID().uuidString)"
        let receiver = try WebhookReceiver(folder: cli.root.appendingPathComponent("receiver"), secret: secret)
        defer { receiver.stop() }
        let server = try ServerProcess.mledger(cli)
        defer { server.stop() }
        var env = ProcessInfo.processInfo.environment
        env["MLFLOW_TRACKING_URI"] = server.uri
        env["MLFLOW_TRACKING_TOKEN"] = server.token
        env["HOOK_URL"] = receiver.url
        env["HOOK_SECRET"] = secret
        let r = try execute(python, ["-c", Self.script], environment: env, seconds: 300)
        #expect(r.status == 0, "\(r.stderr.suffix(2000))")
        let out = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        let id = try #require(out["id"] as? String)
        #expect(out["name"] as? String == "ci" && out["status"] as? String == "ACTIVE")
        #expect(
            out["events"] as? [String] == [
                "model_version.created", "model_version_alias.created", "model_version_alias.deleted", "registered_model.created",
            ])
        #expect(out["listed"] as? [String] == [id])
        #expect(out["got"] as? String == "hooks for ci" && out["updated"] as? String == "updated")
        #expect((out["test"] as? [String: Any])?["success"] as? Bool == true)
        #expect((out["deleted"] as? String)?.contains("RESOURCE_DOES_NOT_EXIST") == true, "\(out["deleted"] ?? "")")
        #expect((out["bad_event"] as? String)?.contains("model_version_tag.set") == true, "\(out["bad_event"] ?? "")")
        #expect((out["metadata"] as? String)?.contains("link-local") == true, "\(out["metadata"] ?? "")")

        let names = ["registered_model.created", "model_version.created", "model_version_alias.created", "model_version_alias.deleted"]
        let got = try receiver.wait(seconds: 30, "four deliveries from mledger serve") { entries in
            entries.filter { $0.status == 200 && !$0.test }.count >= 4
        }
        #expect(got.allSatisfy { $0.verified && $0.sameAsMLflow }, "every delivery verifies with MLflow's signature check")
        let delivered = got.filter { $0.status == 200 && !$0.test }
        #expect(delivered.map { "\($0.entity).\($0.action)" } == names)
        #expect(delivered[1].data["run_id"] as? String == out["run"] as? String && delivered[1].data["version"] as? String == "1")
        #expect(delivered[2].data["alias"] as? String == "champion" && delivered[2].data["name"] as? String == "digits")
        #expect(got.contains { $0.test && $0.verified })
    }
}
