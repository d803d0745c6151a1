import Foundation

/// One HTTP exchange, as the sync client needs it: whole bodies, headers by lowercased name.
public struct HTTPRequest: Sendable {
    public var method: String
    /// Path and query, e.g. `/v1/events?after=0`.
    public var target: String
    public var headers: [(String, String)]
    public var body: [UInt8]
    /// A file sent as the body instead of `body`, read a piece at a time (blob uploads of any size).
    public var bodyFile: URL?
    /// Where in `bodyFile` the body starts (a resumed upload sends only the rest of the file).
    public var bodyOffset: UInt64

    public init(
        method: String, target: String, headers: [(String, String)] = [], body: [UInt8] = [], bodyFile: URL? = nil, bodyOffset: UInt64 = 0
    ) {
        self.method = method
        self.target = target
        self.headers = headers
        self.body = body
        self.bodyFile = bodyFile
        self.bodyOffset = bodyOffset
    }
}

public struct HTTPResponse: Sendable {
    public var status: Int
    /// Header values by lowercased name.
    public var headers: [String: String]
    public var body: [UInt8]
}

/// How requests reach a relay. Plain `http://` relays (loopback, a LAN, behind a TLS proxy's backend)
/// use `SocketTransport`; `https://` relays use the system's URLSession.
public protocol HTTPTransport: Sendable {
    func send(_ request: HTTPRequest) async throws -> HTTPResponse
    /// Like `send`, but a 2xx answer's body goes to `sink` piece by piece and never whole into memory
    /// (blob downloads, as large as artifacts are); an error's body stays in the response, bounded.
    func send(_ request: HTTPRequest, streamingTo sink: any BodySink) async throws -> HTTPResponse
    /// Whether a request's `bodyOffset` is honoured (else a resumed upload sends the whole file again).
    var sendsFromOffset: Bool { get }
}

extension HTTPTransport {
    public var sendsFromOffset: Bool { false }
}

/// Where a streamed answer's body goes, one piece at a time.
public protocol BodySink: AnyObject, Sendable {
    /// Called once with a 2xx answer's status and headers (lowercased names), before its first piece.
    func begin(status: Int, headers: [String: String]) throws
    func write(_ bytes: UnsafeRawBufferPointer) throws
}

extension BodySink {
    public func begin(status: Int, headers: [String: String]) throws {}
}

public enum Transports {
    /// A relay may sit under a path (`https://host/mledger/`): requests go to that path plus their target,
    /// while signatures cover the target alone (`/v1/...`), which is what the relay sees once the proxy
    /// in front of it has removed the prefix.
    public static func forURL(_ url: URL) throws -> any HTTPTransport {
        let prefix = pathPrefix(of: url)
        switch url.scheme {
        case "http":
            guard let host = url.host else { throw SyncError.badResponse("no host in \(url)") }
            return SocketTransport(host: host, port: url.port ?? 80, pathPrefix: prefix)
        case "https": return URLSessionTransport(baseURL: url, pathPrefix: prefix)
        default: throw SyncError.badResponse("\(url) is not an http(s) URL")
        }
    }

    /// The URL's path without its trailing slashes: "" for a relay at the root, "/mledger" under a prefix.
    public static func pathPrefix(of url: URL) -> String {
        var path = url.path
        while path.hasSuffix("/") { path.removeLast() }
        return path
    }
}
