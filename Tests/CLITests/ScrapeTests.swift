import Foundation
import LedgerTestSupport
import Testing

/// `mledger monitor scrape` against a real HTTP endpoint on 127.0.0.1 that a test rewrites, stops and starts.
@Suite struct ScrapeTests {
    func deployed() throws -> CLI {
        let cli = try CLI()
        let run = try cli.initWithRun()
        try cli.ok("model", "create", "digits")
        try cli.ok("model", "version", "create", "digits", "--run", run)
        try cli.ok("model", "version", "create", "digits", "--run", run)
        try cli.ok("deploy", "record", "digits", "1", "--env", "production", "--reason", "v1 rolled out")
        return cli
    }

    static let page = """
        # HELP predictions_total Predictions served.
        # TYPE predictions_total counter
        predictions_total{model_version="2"} 5
        rolling_accuracy 0.9
        latency_seconds_bucket{le="0.1"} 3
        latency_seconds_sum 0.25
        """

    /// One JSON object per line of a finished command's output.
    static func lines(_ text: String) -> [[String: Any]] {
        text.split(separator: "\n").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
    }

    /// Starts a scraper with `arguments` in its own process group and reads its output until it has
    /// printed `count` JSON lines (or ended); returns the group, the pipe and what it read.
    static func scrape(_ cli: CLI, _ arguments: [String], until count: Int) throws -> (group: ProcessGroup, out: Pipe, text: String) {
        let scraper = cli.process(["monitor", "scrape"] + arguments + ["--json"])
        let out = Pipe()
        scraper.standardOutput = out
        scraper.standardError = FileHandle.nullDevice
        let group = try ProcessGroup(starting: scraper)
        var text = ""
        while lines(text).count < count {
            let chunk = out.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            text += String(decoding: chunk, as: UTF8.self)
        }
        return (group, out, text)
    }

    @Test func labelledSamplesGoToTheirVersionAndAnEndpointThatGoesAwayIsScrapedAgainWhenBack() throws {
        let cli = try deployed()
        let folder = cli.root.appendingPathComponent("www")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let server = try StaticHTTPServer(folder: folder)
        defer { server.stop() }
        try server.write(Self.page, to: "metrics")
        let url = server.url + "/metrics"

        let first = Self.lines(
            try cli.ok(
                "monitor", "scrape", url, "--env", "production", "--every", "50ms", "--count", "3", "--metrics", "predictions,rolling_accuracy",
                "--json"))
        #expect(first.map { $0["points"] as? Int } == [2, 2, 2])
        #expect(first.allSatisfy { $0["error"] == nil })

        // The endpoint goes away while a scraper runs, and comes back on the same port.
        server.stop()
        let scraper = try Self.scrape(cli, [url, "--env", "production", "--every", "100ms", "--count", "30"], until: 5)
        defer { scraper.group.end() }
        try server.start(port: server.port)
        let text = scraper.text + String(decoding: scraper.out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        scraper.group.process.waitUntilExit()
        #expect(scraper.group.process.terminationStatus == 0)
        let outcomes = Self.lines(text)
        #expect(outcomes.count == 30)
        #expect(outcomes.prefix(5).allSatisfy { $0["error"] is String && $0["points"] as? Int == 0 })
        let recovered = outcomes.filter { $0["error"] == nil }
        #expect(!recovered.isEmpty)
        // Without --metrics: everything but the histogram bucket.
        #expect(recovered.allSatisfy { $0["points"] as? Int == 3 })

        let series = try #require(try cli.json("monitor", "show", "digits") as? [[String: Any]])
        func count(_ version: Int, _ key: String) -> Int? {
            series.first { $0["versionNumber"] as? Int == version && $0["key"] as? String == key }?["count"] as? Int
        }
        #expect(count(2, "predictions_total") == 3 + recovered.count)
        #expect(count(1, "rolling_accuracy") == 3 + recovered.count)
        #expect(count(1, "latency_seconds_sum") == recovered.count)
        #expect(count(1, "latency_seconds_bucket") == nil)
        #expect(try cli.ok("verify").contains("OK:"))
    }

    /// A scrape it reported is durable: killing the scraper with SIGKILL loses none of them.
    @Test func reportedScrapesSurviveKill9() throws {
        let cli = try deployed()
        let folder = cli.root.appendingPathComponent("www")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let server = try StaticHTTPServer(folder: folder)
        defer { server.stop() }
        try server.write(Self.page, to: "metrics")
        let scraper = try Self.scrape(cli, [server.url + "/metrics", "--env", "production", "--every", "20ms"], until: 8)
        defer { scraper.group.end() }
        kill(scraper.group.process.processIdentifier, SIGKILL)
        scraper.group.process.waitUntilExit()
        let text = scraper.text + String(decoding: scraper.out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        let reported = Self.lines(text).filter { $0["error"] == nil }.count
        #expect(reported >= 8)
        let series = try #require(try cli.json("monitor", "show", "digits") as? [[String: Any]])
        let stored = series.first { $0["key"] as? String == "rolling_accuracy" }?["count"] as? Int ?? 0
        #expect(stored >= reported, "\(reported) scrapes reported, \(stored) stored")
        #expect(try cli.ok("verify").contains("OK:"))
    }

    /// An hour of 10-second scrapes (360) at a fast clock: the scraper's memory stays flat.
    @Test func anHourOfScrapesKeepsMemoryFlat() throws {
        let cli = try deployed()
        let folder = cli.root.appendingPathComponent("www")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let server = try StaticHTTPServer(folder: folder)
        defer { server.stop() }
        // A realistic page: the example's series plus a hundred others the scraper reads and drops.
        let noise = (0..<100).map { "python_noise_\($0){kind=\"x\"} \($0)" }.joined(separator: "\n")
        try server.write(Self.page + "\n" + noise, to: "metrics")
        let scraper = try Self.scrape(
            cli,
            [server.url + "/metrics", "--env", "production", "--every", "10ms", "--count", "360", "--metrics", "predictions,rolling_accuracy"],
            until: 0)
        defer { scraper.group.end() }
        var text = ""
        var samples = [(scrapes: Int, bytes: Int)]()
        let pid = scraper.group.process.processIdentifier
        while true {
            let chunk = scraper.out.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            text += String(decoding: chunk, as: UTF8.self)
            let done = text.split(separator: "\n").count
            if done >= 60, done <= 350, done - (samples.last?.scrapes ?? 0) >= 30, let rss = ProcessMemory.resident(pid) {
                samples.append((done, rss))
            }
        }
        scraper.group.process.waitUntilExit()
        let outcomes = Self.lines(text)
        #expect(outcomes.count == 360)
        #expect(outcomes.allSatisfy { $0["error"] == nil && $0["points"] as? Int == 2 })
        let first = try #require(samples.first)
        let last = try #require(samples.last)
        #expect(samples.count >= 5)
        // Flat: after warm-up, 300 more scrapes add less than 4 MiB (the ledger's pages grow on disk, not here).
        #expect(last.bytes - first.bytes < 4 << 20, "resident memory grew from \(first.bytes) to \(last.bytes) bytes: \(samples)")
        print("scraper resident memory after \(first.scrapes) scrapes: \(first.bytes >> 10) KiB, after \(last.scrapes): \(last.bytes >> 10) KiB")
    }
}
