import Foundation
import LedgerTestSupport
import Testing

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// The package's folder, for scripts and the examples in client/.
let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../..").standardizedFileURL

struct TimedOut: Error, CustomStringConvertible {
    var what: String
    var description: String { "\(what) did not finish in time" }
}

/// Runs a program to completion within `seconds`, killing it after that; returns (status, stdout, stderr).
func execute(
    _ executable: String, _ arguments: [String], environment: [String: String] = ProcessInfo.processInfo.environment,
    in directory: URL? = nil, seconds: Double
) throws -> (status: Int32, stdout: String, stderr: String) {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: executable)
    p.arguments = arguments
    p.environment = environment
    if let directory { p.currentDirectoryURL = directory }
    let out = Pipe()
    let err = Pipe()
    p.standardOutput = out
    p.standardError = err
    p.standardInput = FileHandle.nullDevice
    try p.run()
    let timer = DispatchWorkItem { if p.isRunning { p.terminate() } }
    DispatchQueue.global().asyncAfter(deadline: .now() + seconds, execute: timer)
    // Read both pipes while the program runs, so a full pipe cannot stall it.
    let stderrData = Locked(Data())
    let drained = DispatchSemaphore(value: 0)
    DispatchQueue.global().async {
        stderrData.set(err.fileHandleForReading.readDataToEndOfFile())
        drained.signal()
    }
    let stdoutData = out.fileHandleForReading.readDataToEndOfFile()
    drained.wait()
    p.waitUntilExit()
    timer.cancel()
    if p.terminationReason == .uncaughtSignal && p.terminationStatus == SIGTERM {
        throw TimedOut(what: "\(executable) \(arguments.joined(separator: " "))")
    }
    return (p.terminationStatus, String(decoding: stdoutData, as: UTF8.self), String(decoding: stderrData.get(), as: UTF8.self))
}

final class Locked<T>: @unchecked Sendable {
    private var value: T
    private let lock = NSLock()
    init(_ value: T) { self.value = value }
    func get() -> T { lock.withLock { value } }
    func set(_ v: T) { lock.withLock { value = v } }
}

/// The venv with the real mlflow client and server (created once by scripts/mlflow-venv.sh).
enum MLflowVenv {
    static let python: String = {
        let script = packageRoot.appendingPathComponent("scripts/mlflow-venv.sh").path
        guard let r = try? execute("/bin/bash", [script], seconds: 900), r.status == 0 else { return "" }
        return r.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }()

    static var bin: URL { URL(fileURLWithPath: python).deletingLastPathComponent() }

    /// The venv's python, for a test that cannot run without it: a test issue saying why when there is none.
    static func required(sourceLocation: SourceLocation = #_sourceLocation) throws -> String {
        try #require(!python.isEmpty, "scripts/mlflow-venv.sh could not install mlflow into .build/mlflow-venv", sourceLocation: sourceLocation)
        return python
    }
}

/// A server process on 127.0.0.1, stopped (SIGTERM, then SIGKILL) when released, with every worker
/// it started when it runs as a process group.
final class ServerProcess: @unchecked Sendable {
    let process: Process
    let uri: String
    /// `mledger serve`'s bearer token (`MLFLOW_TRACKING_TOKEN`); `mlflow server` has none.
    let token: String?
    /// The server's own process group (`mlflow server` forks uvicorn, a job runner and huey consumers).
    let group: ProcessGroup?

    init(_ process: Process, uri: String, token: String? = nil, group: ProcessGroup? = nil) {
        self.process = process
        self.uri = uri
        self.token = token
        self.group = group
    }

    /// A real `mlflow server` with an SQLite backend store and local proxied artifacts.
    static func mlflow(in folder: URL) throws -> ServerProcess {
        let port = freePort()
        let p = Process()
        // Through python, which unblocks the signals the test runner's threads block, so SIGTERM ends it.
        p.executableURL = URL(fileURLWithPath: MLflowVenv.python)
        p.arguments = [
            "-c", ProcessGroup.unblockSignalsAndExec, MLflowVenv.bin.appendingPathComponent("mlflow").path, "server", "--backend-store-uri",
            "sqlite:///\(folder.path)/mlflow.db",
            "--artifacts-destination", folder.appendingPathComponent("artifacts").path,
            "--host", "127.0.0.1", "--port", String(port), "--workers", "1",
        ]
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        let group = try ProcessGroup(starting: p)
        let server = ServerProcess(p, uri: "http://127.0.0.1:\(port)", group: group)
        try server.waitForHealth(seconds: 180)
        return server
    }

    /// A real `mlflow server` beside a CLI's workspace (its store in the workspace's temporary folder), for
    /// tests that run the same client code against both servers.
    static func mlflow(beside cli: CLI) throws -> ServerProcess {
        let folder = cli.root.appendingPathComponent("mlflow-server")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        return try mlflow(in: folder)
    }

    /// `mledger serve` of a CLI's workspace, on a port it picks.
    static func mledger(_ cli: CLI) throws -> ServerProcess {
        let (p, address, token) = try cli.startServe()
        return ServerProcess(p, uri: "http://\(address)", token: token)
    }

    func waitForHealth(seconds: Double) throws {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            guard process.isRunning else { throw TimedOut(what: "server at \(uri) exited early") }
            if (try? request("GET", "/health").status) == 200 { return }
            Thread.sleep(forTimeInterval: 0.5)
        }
        throw TimedOut(what: "server at \(uri)")
    }

    /// One HTTP request; returns the status and the body parsed as JSON (nil if it is not JSON).
    func request(_ method: String, _ path: String, json: String? = nil) throws -> (status: Int, body: Any?) {
        guard let url = URL(string: uri + path) else { throw TimedOut(what: "bad url \(path)") }
        var req = URLRequest(url: url, timeoutInterval: 10)
        req.httpMethod = method
        if let json {
            req.httpBody = Data(json.utf8)
            req.setValue("application/json", forHTTPHeaderField: "Content-Type")
        }
        if let token { req.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization") }
        let result = Locked<(Int, Data)?>(nil)
        let done = DispatchSemaphore(value: 0)
        URLSession.shared.dataTask(with: req) { data, response, _ in
            result.set(((response as? HTTPURLResponse)?.statusCode ?? 0, data ?? Data()))
            done.signal()
        }.resume()
        guard done.wait(timeout: .now() + 15) == .success, let (status, data) = result.get() else { throw TimedOut(what: "\(method) \(path)") }
        return (status, try? JSONSerialization.jsonObject(with: data))
    }

    /// Ends the server (and its process group); also done on release.
    func stop() {
        if let group {
            group.end()
            return
        }
        guard process.isRunning else { return }
        process.terminate()
        let deadline = Date().addingTimeInterval(10)
        while process.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.1) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }

    deinit { stop() }
}
