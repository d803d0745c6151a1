import Foundation
import LedgerTestSupport
import Testing

/// A sweep of runs for the dashboard's pictures, synced to a real relay: params over decades and a
/// text param, metrics per step and per dataset over wall time, confusion matrices (one of 100
/// classes), a PNG and an SVG, and a model with versions from the runs. Names, class labels and file
/// names try to inject markup.
final class PicturesFixture: @unchecked Sendable {
    static let hostile = "<script>alert(\"pic\")</script>"
    static let classes = ["bird", "<img src=x onerror=alert(\"cls\")>", "dog"]
    /// The name both compared runs log their matrix under.
    static let matrixPath = "<img src=x onerror=alert(2)> confusion.json"
    static let matrices: [[[Int]]] = [[[8, 1, 1], [2, 15, 3], [0, 2, 18]], [[6, 3, 1], [4, 12, 4], [1, 1, 18]]]
    static let runCount = 24
    static let start: Int64 = 1_764_000_000_000  // 2025-11-24 16:00 UTC

    let cli: CLI
    let relay: RelayProcess
    let runs: [String]
    static let png = PNGFile.make(width: 240, height: 160) { x, y in (UInt8(x % 256), UInt8(y * 255 / 160), 200) }
    static let svg = """
        <svg xmlns="http://www.w3.org/2000/svg" width="300" height="150" viewBox="0 0 300 150"><script>alert("svg")</script>\
        <rect width="300" height="150" fill="#e8f1fd"/><polyline points="0,140 60,90 120,60 180,40 240,30 300,25" fill="none" stroke="#1f5fbf" stroke-width="4"/>\
        <text x="150" y="130" text-anchor="middle" font-size="18">ROC</text></svg>
        """

    init() throws {
        let cli = try CLI()
        self.cli = cli
        var runs = [String]()
        func write(_ data: Data, as name: String) throws { try data.write(to: cli.workspace.appendingPathComponent(name)) }
        try cli.ok("init", "--team", "vision", "--name", "Ada <b>Lovelace</b>")
        for n in 0..<Self.runCount {
            let run = try cli.ok("run", "start", "--experiment", "sweep", "--name", "\(Self.hostile) trial \(n)")
                .trimmingCharacters(in: .whitespacesAndNewlines)
            runs.append(run)
            let lr = [0.0001, 0.0003, 0.001, 0.003, 0.01, 0.03, 0.1][n % 7]
            let optimizer = n % 3 == 0 ? Self.hostile : (n % 3 == 1 ? "adam" : "sgd")
            try cli.ok("run", "log-param", run, "lr=\(lr)", "batch=\(32 << (n % 4))", "optimizer=\(optimizer)", "\(Self.hostile)=\(n)")
            try cli.ok("run", "log-batch", run, stdin: Self.metrics(n, lr: lr))
        }
        for (i, counts) in Self.matrices.enumerated() {
            try write(Self.labelledTable(counts), as: Self.matrixPath)
            try cli.ok("run", "artifact", runs[i], Self.matrixPath)
        }
        try write(Self.png, as: "roc.png")
        try write(Data(Self.svg.utf8), as: "curve.svg")
        try cli.ok("run", "artifact", runs[0], "roc.png", "curve.svg")
        let hundred = (0..<100).map { i in (0..<100).map { j in i == j ? 80 + (i * 7) % 20 : ((i + 3 * j) % 17 == 0 ? (i + j) % 9 : 0) } }
        try write(Data(try JSONSerialization.data(withJSONObject: hundred)), as: "confusion_100_classes.json")
        try cli.ok("run", "artifact", runs[2], "confusion_100_classes.json")
        self.runs = runs
        try cli.ok("model", "create", "digits")
        for i in 0..<4 { try cli.ok("model", "version", "create", "digits", "--run", runs[i]) }
        let team = try #require((try cli.json("team", "list") as? [String: Any])?["team"] as? String)
        relay = try RelayProcess(team: team)
        try cli.ok("remote", "add", "origin", relay.url)
        try cli.ok("sync")
    }

    /// JSON lines: loss and accuracy per step a minute apart, and final values for three datasets.
    static func metrics(_ n: Int, lr: Double) -> String {
        let quality = 1 - abs(log10(lr) + 2.5) / 3
        var lines = (0..<30).flatMap { step -> [String] in
            let t = start + Int64(n) * 3_600_000 + Int64(step) * 60_000
            let loss = 2.5 * exp(-Double(step) * quality / 8) + 0.05 * Double((step * 7 + n) % 5)
            let acc = 0.55 + 0.4 * quality * (1 - exp(-Double(step) / 6))
            return [
                "{\"key\": \"loss\", \"value\": \(loss), \"step\": \(step), \"timestamp\": \(t)}",
                "{\"key\": \"acc\", \"value\": \(acc), \"step\": \(step), \"timestamp\": \(t)}",
            ]
        }
        for (key, value) in [("train/loss", 0.2), ("val/loss", 0.35), ("test/loss", 0.4), ("val/acc", 0.9), ("test/acc", 0.87)] {
            lines.append("{\"key\": \"\(key)\", \"value\": \(value * (1.2 - quality / 5)), \"step\": 30}")
        }
        return lines.joined(separator: "\n")
    }

    /// The file `mlflow.log_table(df.reset_index(names="actual"), ...)` writes for `counts`.
    static func labelledTable(_ counts: [[Int]]) throws -> Data {
        let rows = zip(classes, counts).map { [$0 as Any] + $1.map { $0 as Any } }
        return try JSONSerialization.data(withJSONObject: ["columns": ["actual"] + classes, "data": rows])
    }

    var experimentID: String {
        get throws {
            let runs = try #require(try cli.json("run", "list") as? [[String: Any]])
            return try #require(runs.first?["experimentID"] as? String)
        }
    }

    var modelID: String {
        get throws { try #require((try cli.json("model", "show", "digits") as? [String: Any])?["id"] as? String) }
    }
}
