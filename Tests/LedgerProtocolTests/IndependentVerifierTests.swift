import Foundation
import Testing

/// Runs the independent Python implementation of the protocol (Tests/IndependentVerifier/verifier.py,
/// written from protocol/SPEC.md alone) over the test vectors. It must pass every vector, as this
/// implementation must: two implementations agreeing on the vectors is what makes the spec testable.
@Suite struct IndependentVerifierTests {
    /// The package root, three levels above this file (Tests/LedgerProtocolTests/<file>).
    static let root = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    @Test func independentVerifierPassesEveryVector() throws {
        let venv = try Self.run("/bin/bash", ["scripts/verifier-venv.sh"])
        #expect(venv.status == 0, "scripts/verifier-venv.sh failed:\n\(venv.output)")
        guard venv.status == 0 else { return }
        // The script prints the venv's python on its last line of standard output (pip's noise goes to
        // standard error, which is merged here, so take the last non-empty line).
        let python = venv.output.split(separator: "\n").map(String.init).last(where: { !$0.isEmpty }) ?? ""
        let result = try Self.run(python, ["Tests/IndependentVerifier/verifier.py", "protocol/vectors/events.json"])
        #expect(result.status == 0, "independent verifier failed (exit \(result.status)):\n\(result.output)")
    }

    /// The transparency log's vectors (SPEC 6.17) against hashlib's roots and proofs and PyNaCl's signatures.
    @Test func independentCheckOfTheTransparencyVectors() throws {
        let venv = try Self.run("/bin/bash", ["scripts/verifier-venv.sh"])
        let python = venv.output.split(separator: "\n").map(String.init).last(where: { !$0.isEmpty }) ?? ""
        let result = try Self.run(python, ["Tests/IndependentVerifier/transparency.py", "protocol/vectors/transparency.json"])
        #expect(result.status == 0, "independent transparency check failed (exit \(result.status)):\n\(result.output)")
        #expect(result.output.contains(" 0 failed"))
    }

    /// Runs a program from the package root; returns its exit status and its standard output and error.
    static func run(_ executable: String, _ arguments: [String]) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.currentDirectoryURL = root
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()  // before waiting: no pipe deadlock
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }
}
