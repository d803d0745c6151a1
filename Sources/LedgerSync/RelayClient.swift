import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import LedgerProtocol
import LedgerStore

/// Talks to one relay, signing every request with this device's key (see `RequestSignature`).
public struct RelayClient: Sendable {
    public let baseURL: URL
    let key: SigningKey
    let session: URLSession

    public init(baseURL: URL, key: SigningKey) {
        self.baseURL = baseURL
        self.key = key
        let config = URLSessionConfiguration.ephemeral
        config.timeoutIntervalForRequest = 120
        session = URLSession(configuration: config)
    }

    struct Answer {
        var status: Int
        var headers: [String: String]
        var body: Data
        func header(_ name: String) -> String? {
            headers.first { $0.key.caseInsensitiveCompare(name) == .orderedSame }?.value
        }
    }

    /// Sends a signed request; non-2xx answers become `SyncError.refused` with the relay's message.
    func send(_ method: String, _ target: String, body: [UInt8] = [], bodySHA256: [UInt8]? = nil,
              contentType: String? = nil, accept: Set<Int> = []) async throws -> Answer {
        guard let url = URL(string: target, relativeTo: baseURL) else { throw SyncError.badResponse("bad target \(target)") }
        var request = URLRequest(url: url)
        request.httpMethod = method
        let signed = RequestSignature.sign(method: method, target: target, bodySHA256: bodySHA256 ?? Hashing.sha256(body),
                                           key: key, nowMs: wallClockMs())
        for (name, value) in signed.headers { request.setValue(value, forHTTPHeaderField: name) }
        if let contentType { request.setValue(contentType, forHTTPHeaderField: "Content-Type") }
        if !body.isEmpty { request.httpBody = Data(body) }
        let data: Data, response: URLResponse
        do {
            (data, response) = try await session.data(for: request)
        } catch {
            throw SyncError.unreachable(url: baseURL.absoluteString, reason: error.localizedDescription)
        }
        guard let http = response as? HTTPURLResponse else { throw SyncError.badResponse("not HTTP") }
        let headers = Dictionary(http.allHeaderFields.compactMap { k, v in (k as? String).map { ($0, "\(v)") } }) { a, _ in a }
        let answer = Answer(status: http.statusCode, headers: headers, body: data)
        guard (200..<300).contains(http.statusCode) || accept.contains(http.statusCode) else {
            let json = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any]
            throw SyncError.refused(status: http.statusCode, code: json?["error"] as? String ?? "http_\(http.statusCode)",
                                    message: json?["message"] as? String ?? String(decoding: data.prefix(300), as: UTF8.self))
        }
        return answer
    }

    // MARK: Events

    public struct Frontier: Codable, Sendable {
        public var team: String?
        public var authors: [String: UInt64]

        public var keys: [PublicKey: UInt64] {
            Dictionary(uniqueKeysWithValues: authors.compactMap { k, v in PublicKey(hex: k).map { ($0, v) } })
        }
    }

    public func frontier() async throws -> Frontier {
        let answer = try await send("GET", "/v1/frontier")
        do { return try JSONDecoder().decode(Frontier.self, from: answer.body) } catch {
            throw SyncError.badResponse("frontier: \(error)")
        }
    }

    public struct PushResult: Codable, Sendable {
        public var id: String
        public var status: String
        public var code: String?
        public var message: String?
    }

    public struct PushResponse: Codable, Sendable {
        public var accepted: Int
        public var duplicates: Int
        public var forks: Int
        public var rejected: Int
        public var results: [PushResult]
    }

    public func push(_ events: [SignedEvent]) async throws -> PushResponse {
        let answer = try await send("POST", "/v1/events", body: EventFrames.encode(events), contentType: EventFrames.contentType)
        do { return try JSONDecoder().decode(PushResponse.self, from: answer.body) } catch {
            throw SyncError.badResponse("push: \(error)")
        }
    }

    public struct Page: Sendable {
        public var frames: [(bytes: [UInt8], signature: [UInt8])]
        public var cursor: Int64
    }

    public func pull(after cursor: Int64, limit: Int) async throws -> Page {
        let answer = try await send("GET", "/v1/events?after=\(cursor)&limit=\(limit)")
        guard let next = answer.header("X-Mledger-Cursor").flatMap(Int64.init) else {
            throw SyncError.badResponse("pull without a cursor header")
        }
        do {
            return Page(frames: try EventFrames.split(Array(answer.body)), cursor: next)
        } catch {
            throw SyncError.badResponse("pull: \(error)")
        }
    }

    // MARK: Blobs

    public func hasBlob(_ sha256: [UInt8]) async throws -> Bool {
        try await send("HEAD", "/v1/blobs/\(Hex.encode(sha256))", accept: [404]).status == 200
    }

    public func uploadBlob(_ sha256: [UInt8], from file: URL) async throws {
        let data = try Data(contentsOf: file)
        _ = try await send("PUT", "/v1/blobs/\(Hex.encode(sha256))", body: Array(data), bodySHA256: sha256,
                           contentType: "application/octet-stream")
    }

    /// Downloads a blob and returns its bytes once they hash to its name.
    public func downloadBlob(_ sha256: [UInt8]) async throws -> Data {
        let answer = try await send("GET", "/v1/blobs/\(Hex.encode(sha256))")
        guard Hashing.sha256(Array(answer.body)) == sha256 else {
            throw SyncError.badResponse("blob \(Hex.encode(sha256).prefix(12)) does not match its hash")
        }
        return answer.body
    }
}
