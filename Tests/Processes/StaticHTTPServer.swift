import Foundation

/// Python's `http.server` serving a folder on 127.0.0.1, in a process group of its own: a stand-in for a
/// serving app's Prometheus page whose content a test rewrites, and which it can stop and start again.
public final class StaticHTTPServer: @unchecked Sendable {
    public let folder: URL
    public private(set) var port = 0
    private var group: ProcessGroup?

    public var url: String { "http://127.0.0.1:\(port)" }

    public init(folder: URL) throws {
        self.folder = folder
        try start(port: 0)
    }

    /// Starts it on `port` (0: a free one) and waits until it listens.
    public func start(port requested: Int) throws {
        let python = Self.python
        let p = Process()
        p.executableURL = URL(fileURLWithPath: python)
        p.arguments = [
            "-c", ProcessGroup.unblockSignalsAndExec, python, "-u", "-m", "http.server", "--bind", "127.0.0.1", "--directory", folder.path,
            String(requested),
        ]
        let out = Pipe()
        p.standardOutput = out
        p.standardError = FileHandle.nullDevice
        let started = try ProcessGroup(starting: p)
        group = started
        let (address, output) = ListeningLine.read(out, seconds: 20)
        guard let address, let port = Int(address.split(separator: ":").last ?? "") else {
            started.end()
            throw Failure(output: output)
        }
        self.port = port
        // Keep reading so the server never blocks on a full pipe.
        out.fileHandleForReading.readabilityHandler = { _ = $0.availableData }
    }

    /// Ends the server and its group (the endpoint "goes away").
    public func stop() { group?.end() }

    /// Writes `text` as the file at `path` atomically, so a scrape never reads half of it.
    public func write(_ text: String, to path: String) throws {
        try text.write(to: folder.appendingPathComponent(path), atomically: true, encoding: .utf8)
    }

    public struct Failure: Error, CustomStringConvertible {
        public var output: String
        public var description: String { "python3 -m http.server did not start: \(output)" }
    }

    static var python: String {
        ["/usr/bin/python3", "/usr/local/bin/python3"].first { FileManager.default.isExecutableFile(atPath: $0) } ?? "/usr/bin/python3"
    }

    deinit { stop() }
}
