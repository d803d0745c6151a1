import Foundation
@_exported import LedgerProcesses
import Testing

/// Runs the real `mledger` binary with its own identity folder and a workspace in a temporary folder,
/// recording a test issue when a command that should succeed fails.
public final class CLI: CLIProcess, @unchecked Sendable {
    public init() throws { try super.init() }

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
