import Foundation
import LedgerTestSupport
import Testing

/// The real `mlflow` client (installed from PyPI into .build/mlflow-venv) runs the client/ examples
/// against `mledger serve` and against a real `mlflow server` with an SQLite store.
@Suite(.serialized, .timeLimit(.minutes(20)))
struct MLflowClientTests {
    @Test func examplesReadBackAsLoggedThroughMLflowAndMledger() throws {
        let python = try MLflowVenv.required()
        let cli = try CLI()
        try cli.ok("init", "--team", "vision", "--name", "Ada Tester")
        let ours: ExampleRun
        let theirs: ExampleRun
        do {
            let ledgerServer = try ServerProcess.mledger(cli)
            let mlflowServer = try ServerProcess.mlflow(beside: cli)
            ours = try ExampleRun(python: python, server: ledgerServer)
            theirs = try ExampleRun(python: python, server: mlflowServer)
            try expectSameErrors(ledgerServer, mlflowServer, run: ours.basicRun, theirRun: theirs.basicRun)
            try expectSameDefaultExperiment(ledgerServer, mlflowServer)
        }

        for side in [ours, theirs] {
            for (logged, id) in [(side.basic, side.basicRun), (side.training, side.trainingRun)] {
                let back = side.readBackRun(id)
                #expect(canonical(back["params"]) == canonical(logged["params"]))
                #expect(canonical(back["metrics"]) == canonical(logged["metrics"]))
                #expect(canonical(back["tags"]) == canonical(logged["tags"]))
                #expect(canonical(back["artifacts"]) == canonical(logged["artifacts"]))
                #expect(back["status"] as? String == "FINISHED")
                #expect((side.readBack["search"] as? [String: Bool])?[id] == true)
            }
            let model = side.readBack["model"] as? [String: Any]
            #expect(canonical(model?["versions"]) == canonical(side.registry["versions"]))
            #expect(canonical(model?["aliases"]) == canonical(["challenger": "2", "champion": "1"]))
            #expect(canonical(model?["by_alias"]) == canonical(["challenger": "2", "champion": "1"]))
        }
        // Everything the client reads back is the same on both servers.
        #expect(ours.comparable == theirs.comparable)

        try expectLedgerShows(ours, cli)
    }

    /// The same values, read through `mledger ... --json`, and the audit trail's reasons.
    func expectLedgerShows(_ ours: ExampleRun, _ cli: CLI) throws {
        for (logged, id) in [(ours.basic, ours.basicRun), (ours.training, ours.trainingRun)] {
            let show = try cli.json("run", "show", id, "--history", "loss") as? [String: Any]
            let run = show?["run"] as? [String: Any]
            #expect(canonical(run?["params"]) == canonical(logged["params"]))
            let tags = run?["tags"] as? [String: String] ?? [:]
            for (k, v) in logged["tags"] as? [String: String] ?? [:] { #expect(tags[k] == v) }
            let loggedMetrics = logged["metrics"] as? [String: [[Any]]] ?? [:]
            let metrics = run?["metrics"] as? [String: [String: Any]] ?? [:]
            #expect(Set(metrics.keys) == Set(loggedMetrics.keys))
            for (key, points) in loggedMetrics {
                let last = metrics[key]?["last"] as? [String: Any]
                #expect(canonical(last?["value"]) == canonical(points.last?[1]), "last \(key)")
                #expect(metrics[key]?["count"] as? Int == points.count)
            }
            let history = (show?["history"] as? [[String: Any]] ?? []).map { [$0["step"] as Any, $0["value"] as Any] }
            #expect(canonical(history) == canonical(loggedMetrics["loss"]))
            let artifacts = (run?["artifacts"] as? [[String: Any]] ?? []).compactMap { $0["path"] as? String }
            #expect(artifacts == (logged["artifacts"] as? [String: String] ?? [:]).keys.sorted())
            #expect(run?["status"] as? String == "finished")
        }

        let model = try cli.json("model", "show", ExampleRun.model) as? [String: Any]
        let versions = (model?["versions"] as? [[String: Any]] ?? []).map { ($0["aliases"] as? [String] ?? []).sorted() }
        #expect(versions == [["champion", "production"], ["challenger", "staging"]])

        let audit = try cli.json("audit", ExampleRun.model) as? [String: Any]
        let entries = audit?["entries"] as? [[String: Any]] ?? []
        let promotions = entries.filter { $0["action"] as? String == "promote" }
        let reasons = Dictionary(
            promotions.map { ("\($0["alias"] ?? "")->v\($0["to"] ?? "")", $0["reason"] as? String ?? "") }, uniquingKeysWith: { a, _ in a })
        #expect(reasons["production->v1"] == "acc above 0.9 on the held-out split")
        #expect(reasons["champion->v1"] == "acc above 0.9 on the held-out split")
        #expect(reasons["challenger->v2"] == "(no reason given)")
        let missing = promotions.filter { $0["reasonMissing"] as? Bool == true }.compactMap { $0["alias"] as? String }.sorted()
        #expect(missing == ["challenger", "staging"])
        let table = try cli.ok("audit", ExampleRun.model)
        #expect(table.components(separatedBy: "REASON MISSING").count - 1 == 2)
    }

    /// Bad requests get MLflow's error codes and HTTP statuses from both servers, and change nothing.
    func expectSameErrors(_ ours: ServerProcess, _ theirs: ServerProcess, run: String, theirRun: String) throws {
        let cases: [(String, String, String?)] = [
            ("GET", "/api/2.0/mlflow/runs/get?run_id=0123456789abcdef0123456789abcdef", nil),
            ("GET", "/api/2.0/mlflow/experiments/get-by-name?experiment_name=no-such-experiment", nil),
            ("GET", "/api/2.0/mlflow/registered-models/get?name=no-such-model", nil),
            ("POST", "/api/2.0/mlflow/experiments/create", #"{"name": "examples"}"#),
            ("POST", "/api/2.0/mlflow/runs/log-metric", #"{"run_id": "RUN", "key": "loss"}"#),
            ("POST", "/api/2.0/mlflow/runs/log-parameter", #"{"run_id": "RUN", "key": "lr", "value": "0.5"}"#),
            ("POST", "/api/2.0/mlflow/runs/search", #"{"experiment_ids": ["0"], "filter": "metrics.loss <"}"#),
            ("POST", "/api/2.0/mlflow/model-versions/transition-stage", #"{"name": "digits", "version": "1", "stage": "Shipped"}"#),
        ]
        for (method, path, body) in cases {
            let a = try ours.request(method, path, json: body?.replacingOccurrences(of: "RUN", with: run))
            let b = try theirs.request(method, path, json: body?.replacingOccurrences(of: "RUN", with: theirRun))
            let codeA = (a.body as? [String: Any])?["error_code"] as? String
            let codeB = (b.body as? [String: Any])?["error_code"] as? String
            #expect(codeA != nil && codeA == codeB, "\(method) \(path): \(codeA ?? "none") here, \(codeB ?? "none") from mlflow server")
            #expect(a.status == b.status, "\(method) \(path): HTTP \(a.status) here, \(b.status) from mlflow server")
        }
        let unknown = try ours.request("POST", "/api/2.0/mlflow/runs/no-such-endpoint", json: "{}")
        #expect(unknown.status == 404)
        #expect((unknown.body as? [String: Any])?["error_code"] as? String == "ENDPOINT_NOT_FOUND")

        // Without the endpoint's token (another user of the machine): refused, nothing signed.
        let stranger = ServerProcess(Process(), uri: ours.uri)
        for client in [stranger, ServerProcess(Process(), uri: ours.uri, token: "wrong")] {
            let refused = try client.request(
                "POST", "/api/2.0/mlflow/runs/log-parameter",
                json: #"{"run_id": "RUN", "key": "intruder", "value": "1"}"#.replacingOccurrences(of: "RUN", with: run))
            #expect(refused.status == 401 && (refused.body as? [String: Any])?["error_code"] as? String == "UNAUTHENTICATED")
        }
        let params = try ours.request("GET", "/api/2.0/mlflow/runs/get?run_id=\(run)")
        #expect(!"\(params.body ?? "")".contains("intruder"))
        #expect(try stranger.request("GET", "/health").status == 200)
    }

    /// Experiment "0" ("Default") exists for the client before anything is logged into it.
    func expectSameDefaultExperiment(_ ours: ServerProcess, _ theirs: ServerProcess) throws {
        for server in [ours, theirs] {
            let got = try server.request("GET", "/api/2.0/mlflow/experiments/get?experiment_id=0")
            #expect(got.status == 200)
            #expect(((got.body as? [String: Any])?["experiment"] as? [String: Any])?["name"] as? String == "Default")
            let search = try server.request("POST", "/api/2.0/mlflow/runs/search", json: #"{"experiment_ids": ["0"]}"#)
            #expect(search.status == 200)
            #expect(((search.body as? [String: Any])?["runs"] as? [Any])?.isEmpty ?? true)
        }
    }

    /// A typical MLflow 3 scikit-learn script (client/examples/sklearn_mlflow3.py) runs unchanged against
    /// `mledger serve` and a real `mlflow server`: every step passes on both and reads back the same.
    @Test func mlflow3SklearnScriptReadsBackTheSameOnBothServers() throws {
        let python = try MLflowVenv.required()
        let cli = try CLI()
        try cli.ok("init", "--team", "vision", "--name", "Ada Tester")
        let ours = try ServerProcess.mledger(cli)
        let theirs = try ServerProcess.mlflow(beside: cli)
        let outputs = try [ours, theirs].map { server in
            try ExampleRun.example("sklearn_mlflow3.py", ["iris-classifier"], server: server, python: python)
        }
        for (side, out) in zip(["mledger serve", "mlflow server"], outputs) {
            #expect(canonical(out["params"]) == canonical(["C": "0.5", "max_iter": "300"]), "\(side)")
            #expect(canonical(out["confusion_matrix"]) == canonical(out["matrix_logged"]), "\(side)")
            #expect(out["version"] as? String == "1" && out["alias_version"] as? String == "1", "\(side)")
            #expect(out["same_predictions"] as? Bool == true, "\(side): the model loaded by alias predicts differently")
            #expect(out["version_source"] as? Bool == true, "\(side): the version's source is not its logged model: \(out["version_source"] ?? "")")
            #expect((out["autolog_model"] as? [Any])?.count == 1, "\(side): autolog logged no model")
            #expect((out["inputs"] as? [[String: Any]])?.first?["context"] as? String == "training", "\(side)")
            #expect(!((out["model_files"] as? [String]) ?? []).isEmpty, "\(side)")
        }
        #expect(canonical(outputs[0]) == canonical(outputs[1]))

        // The ledger shows the lineage: version -> logged model -> run -> dataset digest.
        let model = try cli.json("model", "show", "iris-classifier") as? [String: Any]
        let version = (model?["versions"] as? [[String: Any]])?.first
        let loggedModel = try #require(version?["loggedModel"] as? String)
        let run = try #require(version?["run"] as? String)
        let shown = (try cli.json("run", "show", run) as? [String: Any])?["run"] as? [String: Any]
        #expect((shown?["outputs"] as? [String])?.contains(loggedModel) == true)
        #expect(((shown?["datasets"] as? [[String: Any]])?.first?["name"]) as? String == "iris-train")
        try cli.ok("verify")
    }

    /// Deletes, restores, tags and descriptions through the classic client calls read back the same from
    /// `mledger serve` (signed tombstones and tag events) as from `mlflow server`; the ledger still verifies.
    @Test func classicDeletesRestoresAndTagsReadBackTheSame() throws {
        let python = try MLflowVenv.required()
        let cli = try CLI()
        try cli.ok("init", "--team", "vision", "--name", "Ada Tester")
        let ours = try ServerProcess.mledger(cli)
        let theirs = try ServerProcess.mlflow(beside: cli)
        let a = try ExampleRun.example("classic_api.py", server: ours, python: python)
        let b = try ExampleRun.example("classic_api.py", server: theirs, python: python)
        #expect(canonical(a) == canonical(b))
        #expect(a["deleted_run_stage"] as? String == "deleted" && a["active_after_delete"] as? Int == 0 && a["active_after_restore"] as? Int == 1)
        #expect(canonical(a["model_tags"]) == canonical(["owner": "ada"]))
        #expect(canonical(a["run_tags"]) == canonical(["kept": "yes"]) && canonical(a["experiment_tags"]) == canonical(["team": "vision"]))
        #expect(a["renamed_model"] as? String == "classic-model-renamed" && a["renamed_experiment"] as? String == "classic-api-renamed")
        #expect(a["version_description"] as? String == "the first, checked")
        try cli.ok("verify")
        // The audit trail keeps what the views hide: the renames and deletes, each with its author.
        let audit = try #require(try cli.json("audit") as? [String: Any])
        let entries = audit["entries"] as? [[String: Any]] ?? []
        func logged(_ action: String, _ text: String) -> Bool {
            entries.contains {
                $0["action"] as? String == action && ($0["text"] as? String ?? "").contains(text) && ($0["author"] as? [String: Any]) != nil
            }
        }
        #expect(logged("rename", "to 'classic-model-renamed'") && logged("rename", "experiment classic-api to 'classic-api-renamed'"))
        #expect(logged("delete", "registered model") && logged("delete", "version v2") && logged("delete", "run to-delete"))
        #expect(logged("restore", "experiment classic-api") && logged("delete", "experiment classic-api"))
        // The CLI's lists hide what is deleted (the model) and show what was restored (the experiment, the run).
        let models = try cli.json("model", "list") as? [[String: Any]] ?? []
        #expect(!models.contains { ($0["name"] as? String ?? "").hasPrefix("classic-model") })
        let experiments = try cli.json("experiment", "list") as? [[String: Any]] ?? []
        #expect(experiments.contains { $0["name"] as? String == "classic-api-renamed" })
        let runs = try cli.json("run", "list", "--experiment", "classic-api-renamed") as? [[String: Any]] ?? []
        #expect(runs.map { $0["name"] as? String } == ["to-delete"])
    }

    /// The installed mlflow server's own route table (`get_endpoints()`), GenAI routes left out: every
    /// classic `/api/2.0` route reaches a handler of `mledger serve` (webhooks answer NOT_IMPLEMENTED until
    /// they land; presigned URLs answer as MLflow does for a local artifact store).
    @Test func classicMLflowRoutesAreAnswered() throws {
        let python = try MLflowVenv.required()
        let cli = try CLI()
        try cli.ok("init", "--team", "vision", "--name", "Ada Tester")
        let server = try ServerProcess.mledger(cli)
        let out = try ExampleRun.example("route_coverage.py", server: server, python: python, folder: "client/compat")
        let routes = out["routes"] as? [String] ?? []
        let unrouted = out["unrouted"] as? [String] ?? []
        print("mledger serve answers \(routes.count - unrouted.count) of the \(routes.count) classic MLflow REST routes")
        #expect(routes.count > 60)
        #expect(unrouted.isEmpty, "not routed by mledger serve: \(unrouted.sorted())")
    }

    /// A 2 GiB `log_artifact` streams through `mledger serve` to the blob store and back: the bytes read back
    /// are the bytes sent, and the server's peak memory stays far below the file's size.
    @Test func aLargeArtifactStreamsThroughInLittleMemory() throws {
        let python = try MLflowVenv.required()
        let cli = try CLI()
        try cli.ok("init", "--team", "vision", "--name", "Ada Tester")
        let server = try ServerProcess.mledger(cli)
        let size = 2 << 30
        let out = try ExampleRun.example("large_artifact.py", [String(size)], server: server, python: python, folder: "client/compat")
        #expect(out["size"] as? Int == size)
        #expect(out["sent"] as? String != nil && out["sent"] as? String == out["received"] as? String)
        let peak = try #require(ProcessMemory.peak(server.process.processIdentifier))
        print("mledger serve: a \(size >> 20) MiB artifact up and down with a peak of \(peak >> 20) MiB resident")
        #expect(peak < 100 << 20, "mledger serve peaked at \(peak >> 20) MiB for a \(size >> 20) MiB artifact")
        try cli.ok("verify")
    }

    /// A file sent in parts (MLflow's proxied multipart upload) reads back whole, and deleting artifacts
    /// leaves the same listing on both servers; `mledger serve` takes the parts path, `mlflow server`
    /// with its local store refuses it and the client falls back to one upload.
    @Test func multipartUploadsAndArtifactDeletesReadBackTheSame() throws {
        let python = try MLflowVenv.required()
        let cli = try CLI()
        try cli.ok("init", "--team", "vision", "--name", "Ada Tester")
        let ours = try ServerProcess.mledger(cli)
        let theirs = try ServerProcess.mlflow(beside: cli)
        var a = try ExampleRun.example("multipart_and_delete.py", server: ours, python: python, folder: "client/compat")
        var b = try ExampleRun.example("multipart_and_delete.py", server: theirs, python: python, folder: "client/compat")
        #expect(a["multipart"] as? Bool == true, "mledger serve did not take the multipart path")
        #expect(a["same_bytes"] as? Bool == true && b["same_bytes"] as? Bool == true)
        #expect((a["after"] as? [String]) == ["keep.txt", "weights/big.bin"])
        a["multipart"] = nil
        b["multipart"] = nil
        #expect(canonical(a) == canonical(b))
        try cli.ok("verify")
    }

    /// `mlflow server` forks uvicorn, a job runner and huey consumers; stopping the server ends them all.
    @Test func mlflowServerEndsWithAllItsWorkers() throws {
        let python = try MLflowVenv.required()
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("mlflow-group-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let server = try ServerProcess.mlflow(in: folder)
        let group = try #require(server.group?.id, "mlflow server did not get a process group of its own")
        // The workers start after the server answers; wait until some have.
        let deadline = Date().addingTimeInterval(30)
        while ProcessGroup.members(of: group) < 3 && Date() < deadline { Thread.sleep(forTimeInterval: 0.2) }
        #expect(ProcessGroup.members(of: group) >= 3, "mlflow server started no workers to end")
        server.stop()
        #expect(ProcessGroup.members(of: group) == 0, "processes of mlflow server's group outlived it")
    }

    @Test func mledgerRunGivesTheChildItsRun() throws {
        let python = try MLflowVenv.required()
        let cli = try CLI()
        try cli.ok("init", "--team", "vision", "--name", "Ada Tester")
        let script = packageRoot.appendingPathComponent("client/examples/train_numpy.py").path
        let r = try cli.execute(["run", "--experiment", "wrapped", "--", python, script, "--epochs", "5"])
        #expect(r.ok, "mledger run failed: \(r.stderr)")
        let printed = try JSONSerialization.jsonObject(with: Data((r.stdout.split(separator: "\n").last ?? "").utf8)) as? [String: Any]
        let runs = try cli.json("run", "list", "--experiment", "wrapped") as? [[String: Any]] ?? []
        #expect(runs.count == 1)
        let id = runs.first?["id"] as? String
        #expect(id != nil && printed?["run_id"] as? String == id)
        let run = runs.first ?? [:]
        #expect(run["status"] as? String == "finished")
        #expect((run["command"] as? String)?.contains("train_numpy.py --epochs 5") == true)
        #expect(canonical(run["params"]) == canonical(printed?["params"]))
        let metrics = run["metrics"] as? [String: [String: Any]] ?? [:]
        #expect(metrics["loss"]?["count"] as? Int == 5)
        for key in ["system/cpu_seconds", "system/peak_memory_mb", "system/wall_seconds"] {
            #expect(((metrics[key]?["last"] as? [String: Any])?["value"] as? Double ?? 0) > 0, "\(key)")
        }
    }
}
