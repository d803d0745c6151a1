import Foundation

/// The client/ examples run with the real mlflow client against one tracking server: what each
/// example says it logged, and what `read_back.py` reads back through the client.
struct ExampleRun {
    var basic: [String: Any]
    var training: [String: Any]
    var registry: [String: Any]
    var readBack: [String: Any]

    var basicRun: String { basic["run_id"] as? String ?? "" }
    var trainingRun: String { training["run_id"] as? String ?? "" }

    static let model = "digits"

    /// Runs one client/ example against a server; returns the JSON object it prints last.
    static func example(
        _ name: String, _ arguments: [String] = [], server: ServerProcess, python: String,
        folder: String = "client/examples"
    ) throws -> [String: Any] {
        try example(name, arguments, tracking: server.uri, token: server.token, python: python, folder: folder)
    }

    /// Runs one client/ example with `tracking` as its MLFLOW_TRACKING_URI (a server, or a local store).
    static func example(
        _ name: String, _ arguments: [String] = [], tracking: String, token: String? = nil, python: String,
        folder: String = "client/examples", environment extra: [String: String] = [:]
    ) throws -> [String: Any] {
        var env = ProcessInfo.processInfo.environment
        env["MLFLOW_TRACKING_URI"] = tracking
        env["MLFLOW_TRACKING_TOKEN"] = token
        env["MLFLOW_EXPERIMENT_NAME"] = "examples"
        for key in ["MLFLOW_RUN_ID", "MLFLOW_REGISTRY_URI"] { env[key] = nil }
        env.merge(extra) { _, new in new }
        let script = packageRoot.appendingPathComponent("\(folder)/\(name)").path
        let r = try execute(python, [script] + arguments, environment: env, seconds: 300)
        guard r.status == 0, let line = r.stdout.split(separator: "\n").last,
            let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
        else {
            throw ExampleFailed(name: name, uri: tracking, stderr: r.stderr)
        }
        return object
    }

    init(python: String, server: ServerProcess) throws {
        func example(_ name: String, _ arguments: [String] = []) throws -> [String: Any] {
            try Self.example(name, arguments, server: server, python: python)
        }
        basic = try example("log_basic.py")
        training = try example("train_numpy.py", ["--epochs", "12"])
        let trainingRun = training["run_id"] as? String ?? ""
        registry = try example("register_and_promote.py", [trainingRun, Self.model])
        readBack = try example("read_back.py", ["--run", basic["run_id"] as? String ?? "", "--run", trainingRun, "--model", Self.model])
    }

    func readBackRun(_ id: String) -> [String: Any] {
        (readBack["runs"] as? [String: Any])?[id] as? [String: Any] ?? [:]
    }

    /// The read-back with run ids replaced by which example made them, to compare across servers.
    var comparable: String {
        let labelled = canonical(readBack)
            .replacingOccurrences(of: basicRun, with: "<basic-run>")
            .replacingOccurrences(of: trainingRun, with: "<training-run>")
        // Sorted again: the labels sort differently from the ids they replace.
        return canonical(try? JSONSerialization.jsonObject(with: Data(labelled.utf8)))
    }
}

struct ExampleFailed: Error, CustomStringConvertible {
    var name: String, uri: String, stderr: String
    var description: String { "\(name) against \(uri) failed:\n\(stderr.suffix(3000))" }
}

/// JSON text with sorted keys, so equal values compare equal.
func canonical(_ value: Any?) -> String {
    guard let value, JSONSerialization.isValidJSONObject([value]),
        let data = try? JSONSerialization.data(withJSONObject: [value], options: [.sortedKeys])
    else { return "null" }
    return String(decoding: data, as: UTF8.self)
}
