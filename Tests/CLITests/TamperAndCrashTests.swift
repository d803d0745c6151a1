import Foundation
import GRDB
import LedgerTestSupport
import Testing

@Suite struct TamperTests {
    /// An attacker with the database file drops the triggers and changes one byte of one event.
    @Test func anyChangedByteOfAnyStoredEventIsNamedByVerify() throws {
        let cli = try CLI()
        let run = try cli.initWithRun()
        try cli.ok("run", "log-param", run, "lr=0.01")
        try cli.ok("run", "log-batch", run, stdin: (1...50).map { "{\"key\":\"loss\",\"value\":\($0),\"step\":\($0)}" }.joined(separator: "\n"))
        try cli.ok("model", "create", "digits")
        try cli.ok("model", "version", "create", "digits", "--run", run)
        try cli.ok("model", "promote", "digits", "1", "--to", "production", "--reason", "good")
        #expect(try cli.ok("verify").contains("OK:"))

        let db = try DatabaseQueue(path: cli.database)
        try db.write { db in
            try db.execute(sql: "DROP TRIGGER events_append_only_update")
        }
        let rows = try db.read { db in try Row.fetchAll(db, sql: "SELECT rowid, bytes, signature, id FROM events") }
        var rng = SystemRandomNumberGenerator()
        var tried = 0
        for row in rows {
            let rowid: Int64 = row["rowid"]
            for column in ["bytes", "signature", "id"] {
                let original: Data = row[column]
                // The bytes of every event at two random offsets; signature and id columns on a few rows.
                let offsets =
                    column == "bytes"
                    ? [Int.random(in: 0..<original.count, using: &rng), original.count - 1]
                    : (rowid % 3 == 0 ? [Int.random(in: 0..<original.count, using: &rng)] : [])
                for offset in offsets {
                    var altered = original
                    altered[offset] ^= UInt8.random(in: 1...255, using: &rng)
                    try db.write { try $0.execute(sql: "UPDATE events SET \(column) = ? WHERE rowid = ?", arguments: [altered, rowid]) }
                    let r = try cli.run("verify", "--events-only", "--json")
                    #expect(r.status == 1, "row \(rowid) \(column)[\(offset)] altered but verify passed")
                    let report = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any]
                    let problems = (report?["report"] as? [String: Any])?["problems"] as? [[String: Any]] ?? []
                    #expect(problems.compactMap { $0["row"] as? Int } == [Int(rowid)], "row \(rowid) \(column)[\(offset)]: \(problems)")
                    try db.write { try $0.execute(sql: "UPDATE events SET \(column) = ? WHERE rowid = ?", arguments: [original, rowid]) }
                    tried += 1
                }
            }
        }
        #expect(tried > 20)
        #expect(try cli.ok("verify").contains("OK:"))
    }

    @Test func alteredViewsAreDetectedAndRebuilt() throws {
        let cli = try CLI()
        let run = try cli.initWithRun()
        try cli.ok("run", "log-param", run, "lr=0.01")
        let db = try DatabaseQueue(path: cli.database)
        try db.write { try $0.execute(sql: "UPDATE params SET value = '0.5'") }
        let r = try cli.run("verify")
        #expect(r.status == 1)
        #expect(r.stdout.contains("'params'"))
        try cli.ok("rebuild")
        #expect(try cli.ok("verify").contains("OK:"))
        let shown = try cli.json("run", "show", run) as? [String: Any]
        #expect((shown?["run"] as? [String: Any])?["params"] as? [String: String] == ["lr": "0.01"])
    }
}

@Suite struct CrashTests {
    /// kill -9 of a process streaming metrics loses no acknowledged point and leaves the ledger verifiable.
    @Test(arguments: [3, 8, 15])
    func killedWhileStreamingLosesNothingAcknowledged(killAfterAcks: Int) throws {
        let cli = try CLI()
        let run = try cli.initWithRun()
        let p = cli.process(["run", "log-batch", run, "--json", "--batch-size", "50"])
        let input = Pipe()
        let output = Pipe()
        p.standardInput = input
        p.standardOutput = output
        p.standardError = FileHandle.nullDevice
        try p.run()

        signal(SIGPIPE, SIG_IGN)
        MetricFeed.start(into: input.fileHandleForWriting, key: "loss")

        var acknowledged = 0
        var acks = 0
        var buffer = Data()
        let deadline = Date().addingTimeInterval(30)
        while acks < killAfterAcks && Date() < deadline {
            let data = output.fileHandleForReading.availableData
            if data.isEmpty { break }
            buffer.append(data)
            while let nl = buffer.firstIndex(of: UInt8(ascii: "\n")) {
                let line = buffer[buffer.startIndex..<nl]
                buffer.removeSubrange(buffer.startIndex...nl)
                let ack = try JSONSerialization.jsonObject(with: Data(line)) as? [String: Any]
                acknowledged = ack?["acknowledged"] as? Int ?? acknowledged
                acks += 1
            }
        }
        kill(p.processIdentifier, SIGKILL)
        p.waitUntilExit()
        try? input.fileHandleForWriting.close()
        #expect(acks >= killAfterAcks)
        #expect(p.terminationReason == .uncaughtSignal)

        let shown = try #require(try cli.json("run", "show", run, "--history", "loss") as? [String: Any])
        let history = try #require(shown["history"] as? [[String: Any]])
        #expect(history.count >= acknowledged)
        // Every acknowledged step is there, each exactly once.
        let steps = history.compactMap { $0["step"] as? Int }
        #expect(Set(steps).count == steps.count)
        #expect(Set(1...max(1, acknowledged)).isSubset(of: Set(steps)) || acknowledged == 0)
        #expect(try cli.ok("verify").contains("OK:"))
    }
}
