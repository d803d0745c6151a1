import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// HTTPS through the system's URLSession (TLS, proxies, certificates as the system configures them).
public struct URLSessionTransport: HTTPTransport {
    let baseURL: URL
    let session: URLSession

    public init(baseURL: URL) {
        self.baseURL = baseURL
        let config = URLSessionConfiguration.ephemeral
        config.timeoutIntervalForRequest = 120
        session = URLSession(configuration: config)
    }

    public func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        guard let url = URL(string: request.target, relativeTo: baseURL) else { throw SyncError.badResponse("bad target \(request.target)") }
        var r = URLRequest(url: url)
        r.httpMethod = request.method
        for (name, value) in request.headers { r.setValue(value, forHTTPHeaderField: name) }
        if !request.body.isEmpty { r.httpBody = Data(request.body) }
        let (data, response) = try await session.data(for: r)
        guard let http = response as? HTTPURLResponse else { throw SyncError.badResponse("not HTTP") }
        var headers = [String: String]()
        for (k, v) in http.allHeaderFields { if let k = k as? String { headers[k.lowercased()] = "\(v)" } }
        return HTTPResponse(status: http.statusCode, headers: headers, body: Array(data))
    }
}
