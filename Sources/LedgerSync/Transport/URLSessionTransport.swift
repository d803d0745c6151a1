import Foundation

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// HTTPS through the system's URLSession (TLS, proxies, certificates as the system configures them).
public struct URLSessionTransport: HTTPTransport {
    let baseURL: URL
    let session: URLSession

    /// Put before every target (see `Transports.forURL`).
    let pathPrefix: String

    public init(baseURL: URL, pathPrefix: String = "") {
        self.baseURL = baseURL
        self.pathPrefix = pathPrefix
        let config = URLSessionConfiguration.ephemeral
        config.timeoutIntervalForRequest = 120
        session = URLSession(configuration: config)
    }

    public func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        let r = try urlRequest(request)
        guard let file = request.bodyFile else {
            let (data, response) = try await session.data(for: r)
            return try Self.answer(response, body: Array(data))
        }
        // URLSession reads the file as it sends it.
        return try await withCheckedThrowingContinuation { continuation in
            session.uploadTask(with: r, fromFile: file) { data, response, error in
                continuation.resume(
                    with: Result {
                        if let error { throw error }
                        guard let response else { throw SyncError.badResponse("no answer") }
                        return try Self.answer(response, body: Array(data ?? Data()))
                    })
            }.resume()
        }
    }

    /// Downloads to a temporary file (URLSession's), then hands it to `sink` in 256 KiB pieces.
    public func send(_ request: HTTPRequest, streamingTo sink: any BodySink) async throws -> HTTPResponse {
        let r = try urlRequest(request)
        return try await withCheckedThrowingContinuation { continuation in
            session.downloadTask(with: r) { file, response, error in
                // The file is removed once this handler returns: it is read here.
                continuation.resume(
                    with: Result {
                        if let error { throw error }
                        guard let file, let http = response as? HTTPURLResponse else { throw SyncError.badResponse("no answer") }
                        let input = try FileHandle(forReadingFrom: file)
                        defer { try? input.close() }
                        guard (200..<300).contains(http.statusCode) else {
                            return try Self.answer(http, body: Array(try input.read(upToCount: 1 << 20) ?? Data()))
                        }
                        let answer = try Self.answer(http, body: [])
                        try sink.begin(status: answer.status, headers: answer.headers)
                        while let piece = try input.read(upToCount: 256 << 10), !piece.isEmpty {
                            try piece.withUnsafeBytes { try sink.write($0) }
                        }
                        return answer
                    })
            }.resume()
        }
    }

    private func urlRequest(_ request: HTTPRequest) throws -> URLRequest {
        guard let url = URL(string: pathPrefix + request.target, relativeTo: baseURL) else {
            throw SyncError.badResponse("bad target \(request.target)")
        }
        var r = URLRequest(url: url)
        r.httpMethod = request.method
        for (name, value) in request.headers { r.setValue(value, forHTTPHeaderField: name) }
        if !request.body.isEmpty { r.httpBody = Data(request.body) }
        return r
    }

    private static func answer(_ response: URLResponse, body: [UInt8]) throws -> HTTPResponse {
        guard let http = response as? HTTPURLResponse else { throw SyncError.badResponse("not HTTP") }
        var headers = [String: String]()
        for (k, v) in http.allHeaderFields { if let k = k as? String { headers[k.lowercased()] = "\(v)" } }
        return HTTPResponse(status: http.statusCode, headers: headers, body: body)
    }
}
