import Foundation

/// A real `mledger-relay` on 127.0.0.1, started on a free port (or a given one, to restart in place).
///
/// With `MLEDGER_TEST_STORE=postgres` in the environment, every relay a test starts keeps its history in
/// a new database of a throwaway PostgreSQL cluster (`PostgresCluster.shared()`), so the same tests
/// check both stores; `database` names one explicitly (relays that share a database).
public final class RelayProcess: @unchecked Sendable {
    public let data: URL
    public private(set) var port: Int
    private var process: Process?
    private let team: String?
    /// The PostgreSQL address the relay was started with, if any.
    public let databaseAddress: String?
    /// Arguments every start repeats (the store, the blob folder).
    private let storeArguments: [String]

    public var url: String { "http://127.0.0.1:\(port)" }
    public var database: String { data.appendingPathComponent("relay.sqlite").path }

    private let binary: URL

    public init(
        team: String?, data: URL? = nil, binary: URL = BuiltProduct.url("mledger-relay"), extraArguments: [String] = [],
        database: String? = nil, blobs: URL? = nil, port: Int = 0
    ) throws {
        self.team = team
        self.binary = binary
        self.data = data ?? FileManager.default.temporaryDirectory.appendingPathComponent("mledger-relay-\(UUID().uuidString)")
        self.port = 0
        databaseAddress = try database ?? Self.testDatabase()
        storeArguments = (databaseAddress.map { ["--database", $0] } ?? []) + (blobs.map { ["--blobs", $0.path] } ?? [])
        try start(port: port, extraArguments: extraArguments)
    }

    /// Whether this test run puts relays on PostgreSQL (`MLEDGER_TEST_STORE=postgres`).
    public static var onPostgres: Bool { ProcessInfo.processInfo.environment["MLEDGER_TEST_STORE"] == "postgres" }

    /// A fresh database when the run puts relays on PostgreSQL, else nil (SQLite in the data folder).
    static func testDatabase() throws -> String? {
        onPostgres ? try PostgresCluster.shared().createDatabase() : nil
    }

    /// Starts the relay and waits for its "listening on" line.
    public func start(port requested: Int, extraArguments: [String] = []) throws {
        let p = Process()
        p.executableURL = binary
        p.arguments =
            ["serve", "--data", data.path, "--port", String(requested)] + (team.map { ["--team", $0] } ?? []) + storeArguments + extraArguments
        let out = Pipe()
        p.standardOutput = out
        p.standardError = try Self.logFile(in: data)
        try p.run()
        process = p
        let (address, text) = ListeningLine.read(out, seconds: 30)
        if let address {
            port = Int(address.split(separator: ":").last ?? "") ?? 0
            return
        }
        p.terminate()
        p.waitUntilExit()
        let said = (try? String(contentsOf: data.appendingPathComponent("relay.log"), encoding: .utf8)) ?? ""
        throw RelayStartError(output: text + String(said.suffix(2000)))
    }

    /// The relay's diagnostics go to `relay.log` in its data folder (appended across restarts).
    static func logFile(in data: URL) throws -> FileHandle {
        try FileManager.default.createDirectory(at: data, withIntermediateDirectories: true)
        let url = data.appendingPathComponent("relay.log")
        if !FileManager.default.fileExists(atPath: url.path) { FileManager.default.createFile(atPath: url.path, contents: nil) }
        let handle = try FileHandle(forWritingTo: url)
        try handle.seekToEnd()
        return handle
    }

    public struct RelayStartError: Error, CustomStringConvertible {
        public var output: String
        public var description: String { "mledger-relay did not start: \(output)" }
    }

    /// Runs another `mledger-relay` subcommand (`migrate`) to its end.
    public static func command(_ arguments: [String], binary: URL = BuiltProduct.url("mledger-relay")) throws -> CLIProcess.Result {
        let p = Process()
        p.executableURL = binary
        p.arguments = arguments
        return try CLIProcess.collect(p)
    }

    /// SIGKILL: the relay gets no chance to clean up.
    public func kill9() {
        guard let p = process else { return }
        kill(p.processIdentifier, SIGKILL)
        p.waitUntilExit()
        process = nil
    }

    /// Peak resident memory so far, in bytes (from /proc).
    public func peakMemory() -> Int? { process.flatMap { ProcessMemory.peak($0.processIdentifier) } }

    /// Resident memory now, in bytes (from /proc).
    public func residentMemory() -> Int? { process.flatMap { ProcessMemory.resident($0.processIdentifier) } }

    public func stop() {
        guard let p = process else { return }
        p.terminate()
        p.waitUntilExit()
        process = nil
    }

    deinit {
        stop()
        try? FileManager.default.removeItem(at: data)
    }
}

/// The `127.0.0.1:PORT` a starting server prints when it listens.
public enum ListeningLine {
    /// Reads a process's output until it names its address (or ends, or `seconds` pass); returns the
    /// address, if any, and everything read.
    public static func read(_ pipe: Pipe, seconds: Double) -> (address: String?, output: String) {
        var text = ""
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            let chunk = pipe.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            text += String(decoding: chunk, as: UTF8.self)
            if let range = text.range(of: #"127\.0\.0\.1:\d+"#, options: .regularExpression) { return (String(text[range]), text) }
        }
        return (nil, text)
    }
}

/// Products of this package's build, found beside the test bundle's build folder.
public enum BuiltProduct {
    public static func url(_ name: String) -> URL {
        if let dir = ProcessInfo.processInfo.environment["MLEDGER_BIN_DIR"] { return URL(fileURLWithPath: dir).appendingPathComponent(name) }
        return URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../../.build/debug/\(name)").standardizedFileURL
    }
}
