import Foundation
import Hummingbird
import LedgerMLflow
import LedgerProtocol
import LedgerStore
import Logging

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// `.mledger/serve.json`: where a running `mledger serve` of this workspace listens.
struct ServeFile {
    struct Entry: Codable {
        var host: String
        var port: Int
        var pid: Int32
        var token: String
        var uri: String { "http://\(host):\(port)" }
    }

    let url: URL

    init(workspace: Workspace) { url = workspace.directory.appendingPathComponent("serve.json") }

    /// Only this user may ever read it, from its first byte: it holds the endpoint's token.
    func write(_ entry: Entry) throws {
        try PrivateFile.write(try JSONEncoder().encode(entry), to: url)
    }

    func read() -> Entry? { (try? Data(contentsOf: url)).flatMap { try? JSONDecoder().decode(Entry.self, from: $0) } }

    /// Removes the file only if it still names this process.
    func remove() {
        if read()?.pid == getpid() { try? FileManager.default.removeItem(at: url) }
    }
}

/// The MLflow tracking URI `mledger run` hands its child: a running `mledger serve` of this workspace
/// when one answers, else an endpoint served from this process on a free loopback port.
final class TrackingEndpoint: Sendable {
    let uri: String
    let token: String
    private let task: Task<Void, Error>?
    /// Whether this is a running `mledger serve`, which outlives the command that found it.
    var isShared: Bool { task == nil }

    private init(uri: String, token: String, task: Task<Void, Error>?) {
        self.uri = uri
        self.token = token
        self.task = task
    }

    static func acquire(session: Session, signer: SigningKey) async throws -> TrackingEndpoint {
        if let entry = ServeFile(workspace: session.workspace).read(), kill(entry.pid, 0) == 0, await answers(entry.uri) {
            return TrackingEndpoint(uri: entry.uri, token: entry.token, task: nil)
        }
        let service = MLflowService(ledger: session.ledger, signer: signer, blobs: session.workspace.blobs)
        var logger = Logger(label: "mledger-run")
        logger.logLevel = .warning
        let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
        let token = TrackingToken.generate()
        let app = MLflowServer.make(
            service: service, token: token, host: "127.0.0.1", port: 0, logger: logger,
            onListening: { port in
                continuation.yield(port)
                continuation.finish()
            })
        let task = Task { try await app.run() }
        for await port in ports { return TrackingEndpoint(uri: "http://127.0.0.1:\(port)", token: token.value, task: task) }
        task.cancel()
        throw StoreError.invalidInput("could not start the MLflow-compatible endpoint on 127.0.0.1")
    }

    func stop() { task?.cancel() }

    /// Whether an endpoint answers its health check within two seconds.
    private static func answers(_ uri: String) async -> Bool {
        guard let url = URL(string: "\(uri)/health") else { return false }
        var request = URLRequest(url: url)
        request.timeoutInterval = 2
        guard let (_, response) = try? await URLSession.shared.data(for: request) else { return false }
        return (response as? HTTPURLResponse)?.statusCode == 200
    }
}
