import LedgerProtocol
import Testing

@testable import LedgerModel

@Suite struct RunFilterTests {
    let key = SigningKey(seed: [UInt8](repeating: 5, count: 32))!.publicKey

    func run(_ name: String, acc: Double?, lr: String, status: RunStatus = .finished, note: String? = nil) -> RunView {
        RunView(
            id: name, experimentID: "e", experiment: "mnist", name: name, author: AuthorView(key: key, name: "Ada"),
            status: status, startTime: 0, params: ["lr": lr], tags: note.map { ["note": $0] } ?? [:],
            metrics: acc.map { ["acc": MetricSummary([MetricPoint(step: 1, timestamp: 0, value: $0)])] } ?? [:], artifacts: [])
    }

    @Test func filtersByMetricsParamsTagsAndFields() throws {
        let runs = [
            run("a", acc: 0.95, lr: "0.01"), run("b", acc: 0.85, lr: "0.01"), run("c", acc: 0.97, lr: "0.1", status: .failed),
            run("d", acc: nil, lr: "0.01", note: "first try"),
        ]
        func names(_ filter: String) throws -> [String] {
            let f = try RunFilter(parsing: filter)
            return runs.filter(f.matches).map(\.name)
        }
        #expect(try names("metrics.acc > 0.9 and params.lr = 0.01") == ["a"])
        #expect(try names("metrics.acc >= 0.85") == ["a", "b", "c"])
        #expect(try names("params.lr = 0.010") == ["a", "b", "d"], "numbers compare as numbers")
        #expect(try names("status != finished") == ["c"])
        #expect(try names("tags.note = \"first try\"") == ["d"])
        #expect(try names("name = b AND author = Ada") == ["b"])
        #expect(try names("  ") == ["a", "b", "c", "d"])
    }

    @Test func badFiltersSayWhatIsWrong() {
        #expect(throws: RunFilter.ParseError.self) { try RunFilter(parsing: "metrics.acc 0.9") }
        #expect(throws: RunFilter.ParseError.self) { try RunFilter(parsing: "colour = red") }
    }
}
