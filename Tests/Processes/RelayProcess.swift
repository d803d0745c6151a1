import Foundation

/// A real `mledger-relay` on 127.0.0.1, started on a free port (or a given one, to restart in place).
public final class RelayProcess: @unchecked Sendable {
    public let data: URL
    public private(set) var port: Int
    private var process: Process?
    private let team: String?

    public var url: String { "http://127.0.0.1:\(port)" }
    public var database: String { data.appendingPathComponent("relay.sqlite").path }

    private let binary: URL

    public init(team: String?, data: URL? = nil, binary: URL = BuiltProduct.url("mledger-relay"), extraArguments: [String] = []) throws {
        self.team = team
        self.binary = binary
        self.data = data ?? FileManager.default.temporaryDirectory.appendingPathComponent("mledger-relay-\(UUID().uuidString)")
        self.port = 0
        try start(port: 0, extraArguments: extraArguments)
    }

    /// Starts the relay and waits for its "listening on" line.
    public func start(port requested: Int, extraArguments: [String] = []) throws {
        let p = Process()
        p.executableURL = binary
        p.arguments = ["serve", "--data", data.path, "--port", String(requested)] + (team.map { ["--team", $0] } ?? []) + extraArguments
        let out = Pipe()
        p.standardOutput = out
        p.standardError = FileHandle.nullDevice
        try p.run()
        process = p
        let (address, text) = ListeningLine.read(out, seconds: 30)
        if let address {
            port = Int(address.split(separator: ":").last ?? "") ?? 0
            return
        }
        p.terminate()
        throw RelayStartError(output: text)
    }

    public struct RelayStartError: Error, CustomStringConvertible {
        public var output: String
        public var description: String { "mledger-relay did not start: \(output)" }
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
