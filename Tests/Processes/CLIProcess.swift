import Foundation

/// The built `mledger` binary with its own identity folder and a workspace in a temporary folder: one
/// simulated laptop. Tests add expectations on top (`CLI`); the torture suite throws instead.
open class CLIProcess: @unchecked Sendable {
    public struct Result: Sendable {
        public var status: Int32
        public var stdout: String
        public var stderr: String
        public var ok: Bool { status == 0 }
    }

    /// A command that had to succeed and did not.
    public struct Failed: Error, CustomStringConvertible {
        public var arguments: [String]
        public var result: Result
        public var description: String {
            let said = result.stderr.isEmpty ? result.stdout : result.stderr
            return "mledger \(arguments.joined(separator: " ")) exited \(result.status): \(said.prefix(500))"
        }
    }

    public static let binary = BuiltProduct.url("mledger")

    public let root: URL
    public var workspace: URL { root.appendingPathComponent("ws") }
    public var config: URL { root.appendingPathComponent("config") }
    public var database: String { workspace.appendingPathComponent(".mledger/ledger.sqlite").path }

    /// A new laptop in a fresh folder under `parent` (the system's temporary folder by default).
    public init(parent: URL = FileManager.default.temporaryDirectory) throws {
        root = parent.appendingPathComponent("mledger-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root.appendingPathComponent("ws"), withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(at: root) }

    /// Variables added to every command's environment (a webhook's secret, for `--secret-env`).
    public var extraEnvironment: [String: String] = [:]

    public var environment: [String: String] {
        var env = ProcessInfo.processInfo.environment
        env["MLEDGER_CONFIG_DIR"] = config.path
        env.merge(extraEnvironment) { _, new in new }
        return env
    }

    public func process(_ arguments: [String], in directory: URL? = nil) -> Process {
        let p = Process()
        p.executableURL = Self.binary
        p.arguments = arguments
        p.currentDirectoryURL = directory ?? workspace
        p.environment = environment
        return p
    }

    public func execute(_ arguments: [String], stdin: String? = nil, in directory: URL? = nil) throws -> Result {
        try Self.collect(process(arguments, in: directory), stdin: stdin)
    }

    /// Runs a prepared process to its end and collects its status and output.
    public static func collect(_ p: Process, stdin: String? = nil) throws -> Result {
        let out = Pipe()
        let err = Pipe()
        let input = Pipe()
        p.standardOutput = out
        p.standardError = err
        p.standardInput = input
        try p.run()
        if let stdin { input.fileHandleForWriting.write(Data(stdin.utf8)) }
        try input.fileHandleForWriting.close()
        // Standard error is drained on its own thread so a chatty child cannot block on a full pipe.
        let stderrData = Drained(err.fileHandleForReading)
        let stdoutData = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return Result(
            status: p.terminationStatus, stdout: String(decoding: stdoutData, as: UTF8.self),
            stderr: String(decoding: stderrData.wait(), as: UTF8.self))
    }

    /// Runs a command that must succeed and returns its standard output; throws `Failed` otherwise.
    @discardableResult
    public func succeed(_ arguments: [String], stdin: String? = nil, in directory: URL? = nil) throws -> String {
        let r = try execute(arguments, stdin: stdin, in: directory)
        guard r.ok else { throw Failed(arguments: arguments, result: r) }
        return r.stdout
    }

    /// Starts `mledger serve` on a free port and waits until it listens; returns the running process, its
    /// address (`127.0.0.1:PORT`) and the bearer token it printed. The caller stops the process.
    public func startServe() throws -> (process: Process, address: String, token: String) {
        let p = process(["serve", "--port", "0"])
        let out = Pipe()
        p.standardOutput = out
        p.standardError = FileHandle.nullDevice
        try p.run()
        let (address, text) = ListeningLine.read(out, seconds: 30)
        if let address, let token = text.firstMatch(of: /MLFLOW_TRACKING_TOKEN=([0-9a-f]+)/)?.1 {
            return (p, address, String(token))
        }
        p.terminate()
        p.waitUntilExit()
        throw ServeStartError(output: text)
    }

    public struct ServeStartError: Error, CustomStringConvertible {
        public var output: String
        public var description: String { "mledger serve did not start: \(output)" }
    }

    /// Runs a command with `--json` that must succeed and parses its output.
    public func jsonOutput(_ arguments: [String], in directory: URL? = nil) throws -> Any {
        let out = try succeed(arguments + ["--json"], in: directory)
        return try JSONSerialization.jsonObject(with: Data(out.utf8))
    }

    /// Links `device` to this member as a user does: the device signs its consent (`identity consent`),
    /// this member links it with that consent (`identity link`). Returns the device's public key (hex).
    @discardableResult
    public func link(_ device: CLIProcess, label: String) throws -> String {
        let member = (try jsonOutput(["identity", "show"]) as? [String: Any])?["publicKey"] as? String
        let team = (try jsonOutput(["team", "list"]) as? [String: Any])?["team"] as? String
        guard let member, let team else { throw MissingOutput(what: "`identity show` or `team list` printed no key or team") }
        let asked = try device.jsonOutput(["identity", "consent", "--member", member, "--team", team]) as? [String: Any]
        guard let key = asked?["device"] as? String, let consent = asked?["consent"] as? String else {
            throw MissingOutput(what: "`identity consent` printed no device key or consent")
        }
        try succeed(["identity", "link", key, "--consent", consent, "--label", label])
        return key
    }

    /// A command's JSON output lacked what a helper needed.
    public struct MissingOutput: Error, CustomStringConvertible {
        public var what: String
        public var description: String { what }
    }
}

/// Reads a pipe to its end on a thread of its own.
final class Drained: @unchecked Sendable {
    private var data = Data()
    private let done = DispatchSemaphore(value: 0)

    init(_ handle: FileHandle) {
        Thread.detachNewThread { [self] in
            data = handle.readDataToEndOfFile()
            done.signal()
        }
    }

    func wait() -> Data {
        done.wait()
        return data
    }
}
