import Foundation
import LedgerSync
import Testing

/// A browser's view of a dashboard over HTTP: one cookie jar, no redirects followed, pages as text.
final class WebClient: @unchecked Sendable {
    struct Page {
        var status: Int
        var headers: [String: String]
        var text: String
        var body: [UInt8] = []
    }

    let transport: SocketTransport
    var cookie: String?
    /// Sent with every request, as a proxy in front of the server would add them.
    var headers: [(String, String)] = []

    init(port: Int) { transport = SocketTransport(host: "127.0.0.1", port: port) }

    convenience init(url: String) throws {
        let port = try #require(URL(string: url)?.port)
        self.init(port: port)
    }

    func get(_ target: String) async throws -> Page {
        try await send("GET", target, body: [])
    }

    func post(_ target: String, form: [(String, String)]) async throws -> Page {
        let body = form.map { "\(Self.encode($0.0))=\(Self.encode($0.1))" }.joined(separator: "&")
        return try await send("POST", target, body: Array(body.utf8), contentType: "application/x-www-form-urlencoded")
    }

    /// Follows a sign-in link: keeps the session cookie the server sets.
    @discardableResult
    func signIn(_ url: String) async throws -> Page {
        let page = try await get(Self.target(of: url))
        if let set = page.headers["set-cookie"], let pair = set.split(separator: ";").first {
            cookie = String(pair)
        }
        return page
    }

    private func send(_ method: String, _ target: String, body: [UInt8], contentType: String? = nil) async throws -> Page {
        var headers = self.headers
        if let cookie { headers.append(("Cookie", cookie)) }
        if let contentType { headers.append(("Content-Type", contentType)) }
        let r = try await transport.send(HTTPRequest(method: method, target: target, headers: headers, body: body))
        return Page(status: r.status, headers: r.headers, text: String(decoding: r.body, as: UTF8.self), body: Array(r.body))
    }

    /// The path and query of an absolute URL.
    static func target(of url: String) throws -> String {
        let components = try #require(URLComponents(string: url))
        return components.percentEncodedPath + (components.percentEncodedQuery.map { "?" + $0 } ?? "")
    }

    static func encode(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? text
    }
}
