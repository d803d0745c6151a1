import Foundation
import GRDB
import LedgerProcesses
import LedgerStore

/// Tamper: single-byte changes to stored events, in a client's and in the relay's database, in every
/// column that makes up an event (id, author, seq, clock, kind, signed bytes, signature). Each change
/// must make verify fail and name the altered row; the original is put back after each.
struct Tamper: Scenario {
    let name = "tamper"

    func run(_ context: ScenarioContext, _ tally: Tally) async throws {
        var rng = context.rng(400)
        let team = try Team(root: context.root)
        let cli = team.admin
        let run = try cli.succeed(["run", "start", "--experiment", "tamper"]).trimmed
        try cli.succeed(["run", "log-param", run, "lr=0.01", "note=<b>'x'</b>"])
        try cli.succeed(
            ["run", "log-batch", run, "--batch-size", "4"],
            stdin: (1...40).map { "{\"key\":\"loss\",\"value\":\($0),\"step\":\($0)}" }.joined(separator: "\n"))
        try cli.succeed(["run", "finish", run])
        try cli.succeed(["model", "create", "digits"])
        try cli.succeed(["model", "version", "create", "digits", "--run", run])
        try cli.succeed(["model", "promote", "digits", "1", "--to", "production", "--reason", "best so far"])
        try cli.succeed(["comment", "add", "digits", "checked"])
        try cli.succeed(["sync"])
        team.relay.stop()
        tally.add(clients: 1)

        // Each database is tampered as a copy inside a workspace of its own, so `mledger verify` reads it.
        for (label, source) in [("client", cli.database), ("relay", team.relay.database)] {
            let copy = try CLIProcess(parent: context.root)
            try FileManager.default.createDirectory(at: copy.workspace.appendingPathComponent(".mledger"), withIntermediateDirectories: true)
            // SQLite's backup copies what the write-ahead log holds too (a file copy of the database alone may not).
            try DatabaseQueue(path: source).backup(to: try DatabaseQueue(path: copy.database))
            try tamper(copy, label: label, scale: context.scale, rng: &rng, tally: tally)
        }
    }

    /// One byte position: a row, a column, an offset in it.
    struct Spot {
        var row: Int64
        var column: String
        var offset: Int
    }

    private func tamper(_ cli: CLIProcess, label: String, scale: Scale, rng: inout SplitMix, tally: Tally) throws {
        let db = try DatabaseQueue(path: cli.database)
        try db.write { try $0.execute(sql: "DROP TRIGGER IF EXISTS events_append_only_update") }
        let columns = ["id", "author", "seq", "clock", "kind", "bytes", "signature"]
        let rows = try db.read { try Row.fetchAll($0, sql: "SELECT rowid, \(columns.joined(separator: ", ")) FROM events") }
        var spots = [Spot]()
        for row in rows {
            let rowid: Int64 = row["rowid"]
            for column in columns { spots += (0..<Self.value(row, column).count).map { Spot(row: rowid, column: column, offset: $0) } }
        }
        tally.add(events: rows.count)
        let sampled = scale.tamperBytes.map { n in Array(spots.shuffled(using: &rng).prefix(n)) } ?? spots
        let byCommand = Set(sampled.shuffled(using: &rng).prefix(scale.tamperCommands).map { "\($0.row)/\($0.column)/\($0.offset)" })
        let ledger = try Ledger(path: cli.database, cacheMiB: 2)
        for spot in sampled {
            guard let row = rows.first(where: { $0["rowid"] as Int64 == spot.row }) else { continue }
            let original = Self.value(row, spot.column)
            var altered = original
            altered[spot.offset] ^= UInt8.random(in: 1...255, using: &rng)
            try write(db, spot, altered)
            let place = "\(label) row \(spot.row) \(spot.column)[\(spot.offset)]"
            if byCommand.contains("\(spot.row)/\(spot.column)/\(spot.offset)") {
                let r = try cli.execute(["verify", "--events-only", "--json"])
                let report = (try? JSONSerialization.jsonObject(with: Data(r.stdout.utf8))) as? [String: Any]
                let problems = (report?["report"] as? [String: Any])?["problems"] as? [[String: Any]] ?? []
                tally.check(r.status == 1, "\(place) altered but `mledger verify` exited \(r.status)")
                tally.check(problems.contains { $0["row"] as? Int == Int(spot.row) }, "\(place): verify did not name the row: \(problems.prefix(2))")
                tally.add(inputs: 1, as: "bytes checked by mledger verify")
            } else {
                let report = try ledger.verify(projections: false)
                tally.check(
                    !report.ok && report.problems.contains { $0.row == spot.row }, "\(place) altered but verify found \(report.problems.prefix(2))")
                tally.add(inputs: 1, as: "bytes checked in-process")
            }
            try write(db, spot, original)
        }
        tally.check(try cli.execute(["verify"]).ok, "\(label): verify fails after every change was put back")
    }

    /// A column's stored value as bytes: blobs as they are, integers as 8 big-endian bytes, text as UTF-8.
    static func value(_ row: Row, _ column: String) -> [UInt8] {
        switch column {
        case "seq", "clock": withUnsafeBytes(of: (row[column] as Int64).bigEndian) { Array($0) }
        case "kind": Array((row[column] as String).utf8)
        default: Array(row[column] as Data)
        }
    }

    private func write(_ db: DatabaseQueue, _ spot: Spot, _ bytes: [UInt8]) throws {
        let value: any DatabaseValueConvertible
        switch spot.column {
        case "seq", "clock": value = bytes.reduce(Int64(0)) { $0 << 8 | Int64($1) }
        case "kind": value = String(decoding: bytes, as: UTF8.self)
        default: value = Data(bytes)
        }
        try db.write { try $0.execute(sql: "UPDATE events SET \(spot.column) = ? WHERE rowid = ?", arguments: [value, spot.row]) }
    }
}
