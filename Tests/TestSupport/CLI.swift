import Foundation
@_exported import LedgerProcesses
import Testing

/// Runs the real `mledger` binary with its own identity folder and a workspace in a temporary folder.
public final class CLI: @unchecked Sendable {
    public struct Result {
        public var status: Int32
        public var stdout: String
        public var stderr: String
        public var ok: Bool { status == 0 }
    }

    public static let binary = BuiltProduct.url("mledger")

    public let root: URL
    public var workspace: URL { root.appendingPathComponent("ws") }
    public var config: URL { root.appendingPathComponent("config") }
    public var database: String { workspace.appendingPathComponent(".mledger/ledger.sqlite").path }

    public init() throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("mledger-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root.appendingPathComponent("ws"), withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(at: root) }

    public var environment: [String: String] {
        var env = ProcessInfo.processInfo.environment
        env["MLEDGER_CONFIG_DIR"] = config.path
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
        let p = process(arguments, in: directory)
        let out = Pipe(), err = Pipe(), input = Pipe()
        p.standardOutput = out
        p.standardError = err
        p.standardInput = input
        try p.run()
        if let stdin { input.fileHandleForWriting.write(Data(stdin.utf8)) }
        try input.fileHandleForWriting.close()
        let stdoutData = out.fileHandleForReading.readDataToEndOfFile()
        let stderrData = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return Result(status: p.terminationStatus, stdout: String(decoding: stdoutData, as: UTF8.self),
                      stderr: String(decoding: stderrData, as: UTF8.self))
    }

    @discardableResult
    public func run(_ arguments: String..., stdin: String? = nil, in directory: URL? = nil) throws -> Result {
        try execute(arguments, stdin: stdin, in: directory)
    }

    /// Runs a command that must succeed and returns its standard output.
    @discardableResult
    public func ok(_ arguments: String..., stdin: String? = nil, sourceLocation: SourceLocation = #_sourceLocation) throws -> String {
        let r = try execute(arguments, stdin: stdin)
        #expect(r.ok, "mledger \(arguments.joined(separator: " ")) failed: \(r.stderr)", sourceLocation: sourceLocation)
        return r.stdout
    }

    public func json(_ arguments: String..., sourceLocation: SourceLocation = #_sourceLocation) throws -> Any {
        let r = try execute(arguments + ["--json"])
        #expect(!r.stdout.isEmpty, "mledger \(arguments.joined(separator: " ")) printed nothing: \(r.stderr)", sourceLocation: sourceLocation)
        return try JSONSerialization.jsonObject(with: Data(r.stdout.utf8))
    }

    /// `mledger init` plus a started run; returns the run id.
    public func initWithRun() throws -> String {
        try ok("init", "--team", "vision", "--name", "Ada Tester")
        return try ok("run", "start", "--experiment", "mnist", "--name", "baseline").trimmingCharacters(in: .whitespacesAndNewlines)
    }

    public func eventCount() throws -> Int {
        let v = try json("verify", "--events-only") as? [String: Any]
        return (v?["report"] as? [String: Any])?["events"] as? Int ?? -1
    }
}
