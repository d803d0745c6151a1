import ArgumentParser
import Foundation
import LedgerProtocol
import LedgerStore

extension RunCommand {
    struct LogBatch: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "log-batch",
            abstract: "Log metric points from JSON lines, one signed event per batch.",
            usage: "python train.py | mledger run log-batch RUN\n  mledger run log-batch RUN --file metrics.jsonl",
            discussion: """
                Each line is {"key": "loss", "value": 0.42, "step": 3, "timestamp": 1700000000000} \
                (step defaults to 0, timestamp to now) or {"step": 3, "metrics": {"loss": 0.42, "acc": 0.9}}. \
                Values may also be "nan", "inf" or "-inf".

                From a file, every line is checked before anything is written: one bad line and nothing is \
                logged. From standard input, points are committed in batches as they arrive (whatever is \
                available at once, up to --batch-size points per event), so a training loop can stream into \
                it; with --json each committed batch is acknowledged on a line of its own.
                """
        )
        @Argument(help: ArgumentHelp("The run.", valueName: "run")) var runRef: String
        @Option(help: "Read this file instead of standard input.") var file: String?
        @Option(help: "Most points in one event.") var batchSize = 10_000
        @OptionGroup var output: OutputOptions

        struct Ack: Encodable {
            var acknowledged: Int
            var points: Int
            var event: String
        }

        func run() throws {
            let session = try Session.open()
            let id = try session.ledger.runID(runRef)
            let key = try session.signer()
            var reader = try LineReader(path: file)
            var parser = MetricLineParser()
            var total = 0
            var events = 0

            func commit(_ batches: [[String: [MetricPoint]]]) throws {
                let drafts = try batches.map { try Ledger.Draft(RunMetrics(run: id, series: $0)) }
                let stored = try session.ledger.append(drafts, signer: key)
                for (batch, event) in zip(batches, stored) {
                    let n = batch.values.reduce(0) { $0 + $1.count }
                    total += n
                    events += 1
                    if output.json { try Output.jsonLine(Ack(acknowledged: total, points: n, event: event.id.hex)) }
                }
            }

            if file != nil {
                while let line = try reader.nextLine() { try parser.add(line) }
                try commit(parser.takeAll(batchSize: batchSize))
            } else {
                while let line = try reader.nextLine() {
                    try parser.add(line)
                    if parser.pendingCount >= batchSize || !reader.hasBufferedLine && !reader.inputReady() {
                        try commit(parser.takeAll(batchSize: batchSize))
                    }
                }
                try commit(parser.takeAll(batchSize: batchSize))
            }
            if !output.json { print("Logged \(total) points in \(events) events") }
        }
    }
}

/// Parses metric JSON lines into per-key points, naming the line of any error.
struct MetricLineParser {
    private(set) var pendingCount = 0
    private var pending = [String: [MetricPoint]]()
    private var lineNumber = 0

    mutating func add(_ line: [UInt8]) throws {
        lineNumber += 1
        guard line.contains(where: { $0 != UInt8(ascii: " ") && $0 != UInt8(ascii: "\r") }) else { return }
        func fail(_ why: String) -> ValidationError {
            ValidationError("line \(lineNumber): \(why); fix the line and log again (nothing from this line was logged)")
        }
        guard let object = (try? JSONSerialization.jsonObject(with: Data(line))) as? [String: Any] else {
            throw fail("not a JSON object")
        }
        let step = try Self.integer(object["step"], name: "step", fail) ?? 0
        let timestamp = try Self.integer(object["timestamp"], name: "timestamp", fail) ?? Int64(wallClockMs())
        if let metrics = object["metrics"] {
            guard let map = metrics as? [String: Any], !map.isEmpty else { throw fail("'metrics' must be an object of numbers") }
            for (key, value) in map { append(key, try Self.number(value, name: key, fail), step, timestamp) }
        } else {
            guard let key = object["key"] as? String, !key.isEmpty else { throw fail("missing \"key\" (or \"metrics\")") }
            guard let value = object["value"] else { throw fail("missing \"value\"") }
            append(key, try Self.number(value, name: key, fail), step, timestamp)
        }
    }

    private mutating func append(_ key: String, _ value: Double, _ step: Int64, _ timestamp: Int64) {
        pending[key, default: []].append(MetricPoint(step: step, timestamp: timestamp, value: value))
        pendingCount += 1
    }

    /// Everything pending, split into batches of at most `batchSize` points.
    mutating func takeAll(batchSize: Int) -> [[String: [MetricPoint]]] {
        var batches = [[String: [MetricPoint]]]()
        var current = [String: [MetricPoint]]()
        var count = 0
        for (key, points) in pending.sorted(by: { $0.key < $1.key }) {
            var rest = points[...]
            while !rest.isEmpty {
                let take = rest.prefix(max(1, batchSize - count))
                current[key, default: []] += take
                count += take.count
                rest = rest.dropFirst(take.count)
                if count >= batchSize {
                    batches.append(current)
                    current = [:]
                    count = 0
                }
            }
        }
        if count > 0 { batches.append(current) }
        pending = [:]
        pendingCount = 0
        return batches
    }

    static func number(_ value: Any, name: String, _ fail: (String) -> ValidationError) throws -> Double {
        if let s = value as? String {
            switch s.lowercased() {
            case "nan": return .nan
            case "inf", "infinity": return .infinity
            case "-inf", "-infinity": return -.infinity
            default: throw fail("value of '\(name)' is \"\(s)\", not a number")
            }
        }
        guard !(type(of: value) == Bool.self), let n = value as? NSNumber else {
            throw fail("value of '\(name)' is not a number")
        }
        return n.doubleValue
    }

    static func integer(_ value: Any?, name: String, _ fail: (String) -> ValidationError) throws -> Int64? {
        guard let value, !(value is NSNull) else { return nil }
        guard let n = value as? NSNumber, let i = Int64(exactly: n.doubleValue) else { throw fail("'\(name)' must be an integer") }
        return i
    }
}

/// Reads lines from a file descriptor with one `read` per chunk, and can tell whether more input is
/// already waiting, so a stream is committed in batches of whatever arrived together.
struct LineReader {
    private let fd: Int32
    private var buffer = [UInt8]()
    private var start = 0
    private var eof = false

    init(path: String?) throws {
        if let path {
            fd = Foundation.open(path, O_RDONLY)
            guard fd >= 0 else { throw ValidationError("cannot read \(path): \(String(cString: strerror(errno)))") }
        } else {
            fd = STDIN_FILENO
        }
    }

    var hasBufferedLine: Bool { buffer[start...].contains(UInt8(ascii: "\n")) }

    /// True when a read would not block.
    func inputReady() -> Bool {
        var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        return poll(&p, 1, 0) > 0
    }

    mutating func nextLine() throws -> [UInt8]? {
        while true {
            if let nl = buffer[start...].firstIndex(of: UInt8(ascii: "\n")) {
                defer { start = nl + 1 }
                return Array(buffer[start..<nl])
            }
            if eof {
                guard start < buffer.count else { return nil }
                defer { start = buffer.count }
                return Array(buffer[start...])
            }
            if start > 0 {
                buffer.removeFirst(start)
                start = 0
            }
            var chunk = [UInt8](repeating: 0, count: 1 << 16)
            let n = read(fd, &chunk, chunk.count)
            if n < 0 {
                if errno == EINTR { continue }
                throw ValidationError("read failed: \(String(cString: strerror(errno)))")
            }
            if n == 0 { eof = true } else { buffer.append(contentsOf: chunk[0..<n]) }
        }
    }
}
