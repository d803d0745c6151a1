import Foundation
import LedgerProtocol
import LedgerStore

/// Talks to one relay, signing every request with this device's key (see `RequestSignature`) for that
/// relay and its team, which it asks the relay for once (`GET /v1/relay`).
public struct RelayClient: Sendable {
    public let baseURL: URL
    let key: SigningKey
    let transport: any HTTPTransport
    private let announced = Announced()

    public init(baseURL: URL, key: SigningKey) throws {
        self.init(baseURL: baseURL, key: key, transport: try Transports.forURL(baseURL))
    }

    /// Over a given transport: the tests' lying relay stands between the client and a real relay here.
    init(baseURL: URL, key: SigningKey, transport: any HTTPTransport) {
        self.baseURL = baseURL
        self.key = key
        self.transport = transport
    }

    typealias Answer = HTTPResponse

    /// Sends a signed request; non-2xx answers become `SyncError.refused` with the relay's message.
    /// With a `sink`, a 2xx answer's body streams there instead of into the answer; with a `bodyFile`, the
    /// body is read from that file, from `bodyOffset`, as it is sent (`bodySHA256` must then be given).
    func send(
        _ method: String, _ target: String, body: [UInt8] = [], bodyFile: URL? = nil, bodyOffset: UInt64 = 0, bodySHA256: [UInt8]? = nil,
        contentType: String? = nil, headers extra: [(String, String)] = [], accept: Set<Int> = [], sink: (any BodySink)? = nil
    ) async throws -> Answer {
        var headers = RequestSignature.headers(
            method: method, target: target, bodySHA256: bodySHA256 ?? Hashing.sha256(body),
            audience: try await audience(), key: key, nowMs: wallClockMs())
        if let contentType { headers.append(("Content-Type", contentType)) }
        headers += extra
        return try await exchange(
            HTTPRequest(method: method, target: target, headers: headers, body: body, bodyFile: bodyFile, bodyOffset: bodyOffset),
            accept: accept, sink: sink)
    }

    /// Which relay this is and which team it serves, as it announces them: fetched once, and again while
    /// the relay has no team (it adopts the first genesis pushed to it, and from then on wants it signed).
    public func audience() async throws -> RequestSignature.Audience {
        if let known = announced.value, known.team != nil { return known }
        struct Announcement: Decodable {
            var relay: String
            var team: String?
        }
        let answer = try await exchange(HTTPRequest(method: "GET", target: "/v1/relay"), accept: [])
        guard let announcement = try? JSONDecoder().decode(Announcement.self, from: Data(answer.body)),
            let relay = Hex.decode(announcement.relay), relay.count == 32
        else {
            throw SyncError.badResponse("GET /v1/relay did not name the relay: is \(baseURL.absoluteString) an mledger relay of this version?")
        }
        let team: LedgerID?
        if let hex = announcement.team {
            guard let id = LedgerID(hex: hex) else { throw SyncError.badResponse("GET /v1/relay named the team '\(hex.prefix(80))'") }
            team = id
        } else {
            team = nil
        }
        let audience = RequestSignature.Audience(relay: relay, team: team)
        announced.value = audience
        return audience
    }

    /// One exchange; transport failures name the relay, non-2xx answers become `SyncError.refused`.
    private func exchange(_ request: HTTPRequest, accept: Set<Int>, sink: (any BodySink)? = nil) async throws -> Answer {
        let answer: HTTPResponse
        do {
            if let sink {
                answer = try await transport.send(request, streamingTo: sink)
            } else {
                answer = try await transport.send(request)
            }
        } catch let error as SyncError {
            if case .unreachable(_, let reason) = error { throw SyncError.unreachable(url: baseURL.absoluteString, reason: reason) }
            throw error
        } catch {
            throw SyncError.unreachable(url: baseURL.absoluteString, reason: error.localizedDescription)
        }
        guard (200..<300).contains(answer.status) || accept.contains(answer.status) else {
            let json = (try? JSONSerialization.jsonObject(with: Data(answer.body))) as? [String: Any]
            throw SyncError.refused(
                status: answer.status, code: json?["error"] as? String ?? "http_\(answer.status)",
                message: json?["message"] as? String ?? String(decoding: answer.body.prefix(300), as: UTF8.self))
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
        do { return try JSONDecoder().decode(Frontier.self, from: Data(answer.body)) } catch {
            throw SyncError.badResponse("frontier: \(error)")
        }
    }

    /// A pushed event that was a fork or was rejected.
    public struct PushProblem: Codable, Sendable {
        public var index: Int
        public var id: String
        public var status: String
        public var code: String?
        public var message: String?
    }

    /// Per event in push order one letter of `statuses` (a, d, f, r); details for forks and rejections.
    public struct PushResponse: Codable, Sendable {
        public var accepted: Int
        public var duplicates: Int
        public var forks: Int
        public var rejected: Int
        public var statuses: String
        public var problems: [PushProblem]
    }

    public func push(_ events: [SignedEvent]) async throws -> PushResponse {
        let answer = try await send("POST", "/v1/events", body: EventFrames.encode(events), contentType: EventFrames.contentType)
        do { return try JSONDecoder().decode(PushResponse.self, from: Data(answer.body)) } catch {
            throw SyncError.badResponse("push: \(error)")
        }
    }

    public struct Page: Sendable {
        public var frames: [(bytes: [UInt8], signature: [UInt8])]
        public var cursor: Int64
        /// The page's place in the relay's transparency log (SYNC 7), when the relay keeps one.
        public var log: LogPlace?
    }

    public func pull(after cursor: Int64, limit: Int) async throws -> Page {
        let answer = try await send("GET", "/v1/events?after=\(cursor)&limit=\(limit)")
        guard let next = answer.headers["x-mledger-cursor"].flatMap(Int64.init) else {
            throw SyncError.badResponse("pull without a cursor header")
        }
        do {
            return Page(frames: try EventFrames.split(answer.body), cursor: next, log: LogPlace(headers: answer.headers))
        } catch {
            throw SyncError.badResponse("pull: \(error)")
        }
    }
}

/// The relay's announcement, shared by the copies of one client (a sync session).
private final class Announced: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: RequestSignature.Audience?

    var value: RequestSignature.Audience? {
        get { lock.withLock { stored } }
        set { lock.withLock { stored = newValue } }
    }
}
