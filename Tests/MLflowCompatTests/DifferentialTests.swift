import Foundation
import LedgerTestSupport
import Testing

/// Same request, same answer: client/compat/differential.py sends one sequence of requests (hand-written
/// cases for each endpoint and cases generated from a seed) to `mledger serve` and to a real
/// `mlflow server`, and compares status, error code and the normalised JSON of each answer. Every
/// difference must be one that client/README.md lists as deliberate, with its reason.
@Suite(.serialized, .timeLimit(.minutes(20)))
struct DifferentialTests {
    /// Generated cases: a bounded count here; `make differential-long` sets DIFFERENTIAL_COUNT higher.
    static var count: Int { ProcessInfo.processInfo.environment["DIFFERENTIAL_COUNT"].flatMap(Int.init) ?? 150 }

    @Test func everyDifferenceFromMLflowIsDocumented() throws {
        let python = try MLflowVenv.required()
        let cli = try CLI()
        try cli.ok("init", "--team", "vision", "--name", "Ada Tester")
        let ours = try ServerProcess.mledger(cli)
        let theirs = try ServerProcess.mlflow(beside: cli)
        let seed = ProcessInfo.processInfo.environment["DIFFERENTIAL_SEED"] ?? "23"
        let script = packageRoot.appendingPathComponent("client/compat/differential.py").path
        let r = try execute(
            python,
            [script, "--ours", ours.uri, "--ours-token", ours.token ?? "", "--theirs", theirs.uri, "--seed", seed, "--count", String(Self.count)],
            seconds: 900)
        ours.stop()
        theirs.stop()
        try #require(r.status == 0, "differential.py failed:\n\(r.stderr.suffix(3000))")
        let line = r.stdout.split(separator: "\n").last.map(String.init) ?? ""
        let out = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        let compared = out["compared"] as? Int ?? 0
        let differing = out["differing"] as? Int ?? -1
        let undocumented = out["undocumented"] as? [String] ?? ["(no answer)"]
        print("differential (seed \(seed)): \(compared) cases compared, \(differing) differ, \(undocumented.count) not documented")
        #expect(compared >= 60 + Self.count)
        #expect((out["patterns"] as? [String])?.isEmpty == false, "client/README.md lists no deliberate differences")
        #expect(undocumented.isEmpty, "differences from mlflow server not listed in client/README.md:\n\(r.stderr.suffix(6000))")
        // The ledger the endpoint wrote through all of it still verifies.
        try cli.ok("verify")
    }
}
