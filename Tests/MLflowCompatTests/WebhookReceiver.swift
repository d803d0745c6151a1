import Foundation
import LedgerTestSupport

/// client/examples/webhook_receiver.py, a receiver written for MLflow 3 (MLflow's header names, its
/// signature check), run with the mlflow venv's python on a fixed port so it can be stopped and started
/// again in place. Each request it gets is one JSON line in `log`; `mode` switches its answers.
final class WebhookReceiver: @unchecked Sendable {
    let port: Int
    let folder: URL
    let secret: String
    private var group: ProcessGroup?

    var url: String { "http://127.0.0.1:\(port)/hook" }
    var log: URL { folder.appendingPathComponent("received.jsonl") }
    private var modeFile: URL { folder.appendingPathComponent("mode") }

    init(folder: URL, secret: String) throws {
        self.folder = folder
        self.secret = secret
        port = freePort()
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try start()
    }

    func start() throws {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: MLflowVenv.python)
        p.arguments = [
            "-c", ProcessGroup.unblockSignalsAndExec, MLflowVenv.python,
            packageRoot.appendingPathComponent("client/examples/webhook_receiver.py").path,
            "--port", String(port), "--secret-env", "HOOK_SECRET", "--log", log.path, "--mode-file", modeFile.path,
        ]
        var env = ProcessInfo.processInfo.environment
        env["HOOK_SECRET"] = secret
        p.environment = env
        let out = Pipe()
        p.standardOutput = out
        p.standardError = FileHandle.nullDevice
        group = try ProcessGroup(starting: p)
        guard ListeningLine.read(out, seconds: 60).address != nil else { throw TimedOut(what: "webhook receiver start") }
    }

    func stop() {
        group?.end()
        group = nil
    }

    /// `ok`, `500` or `slow SECONDS`.
    func mode(_ text: String) throws {
        try text.write(to: modeFile, atomically: true, encoding: .utf8)
    }

    struct Entry {
        var deliveryID: String
        var status: Int
        var verified: Bool
        /// The signature equals what MLflow's own sender computes for the same delivery.
        var sameAsMLflow: Bool
        var entity: String
        var action: String
        var eventID: String?
        var position: Int?
        var data: [String: Any]
        var test: Bool
    }

    func entries() -> [Entry] {
        guard let text = try? String(contentsOf: log, encoding: .utf8) else { return [] }
        return text.split(separator: "\n").compactMap { line in
            guard let json = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else { return nil }
            let ledger = json["ledger"] as? [String: Any] ?? [:]
            return Entry(
                deliveryID: json["delivery_id"] as? String ?? "", status: json["status"] as? Int ?? 0, verified: json["verified"] as? Bool ?? false,
                sameAsMLflow: json["same_as_mlflow"] as? Bool ?? false,
                entity: json["entity"] as? String ?? "", action: json["action"] as? String ?? "", eventID: ledger["event_id"] as? String,
                position: ledger["position"] as? Int, data: json["data"] as? [String: Any] ?? [:], test: ledger["test"] as? Bool ?? false)
        }
    }

    /// Waits until `condition` holds for the entries received so far.
    @discardableResult
    func wait(seconds: Double, _ what: String, until condition: ([Entry]) -> Bool) throws -> [Entry] {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            let now = entries()
            if condition(now) { return now }
            Thread.sleep(forTimeInterval: 0.1)
        }
        throw TimedOut(what: what)
    }

    deinit { stop() }
}
