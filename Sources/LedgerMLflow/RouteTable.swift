import Foundation
import Hummingbird
import LedgerProtocol

/// An MLflow JSON route: the request's fields in, a JSON object out.
typealias MLflowHandler = @Sendable (MLflowRequest) throws -> [String: Any]
/// The same from the raw body and query, for routes that decode a typed body (the logging hot path).
typealias MLflowBodyHandler = @Sendable (_ body: [UInt8], _ query: [(String, String)]) throws -> [String: Any]

extension Router {
    private static var emptyObject: Data { Data("{}".utf8) }

    func mlflow(_ method: HTTPRequest.Method, _ path: String, _ handler: @escaping MLflowHandler) {
        mlflowBody(method, path) { body, query in try handler(try MLflowRequest(body: body, query: query)) }
    }

    /// One handler for several methods (MLflow answers some reads on GET and POST alike).
    func mlflow(_ methods: [HTTPRequest.Method], _ path: String, _ handler: @escaping MLflowHandler) {
        for method in methods { mlflow(method, path, handler) }
    }

    /// Runs the handler off the async executor (SQLite and signing block) and answers its JSON.
    /// - Parameter offloaded: false for the logging calls, one short transaction each, which run on the
    ///   request's own task: the hand-off to a dispatch thread and back cost them more (about 0.15 ms of
    ///   a log_metric call's 0.7) than they block.
    func mlflowBody(_ method: HTTPRequest.Method, _ path: String, offloaded: Bool = true, _ handler: @escaping MLflowBodyHandler) {
        mlflowRoute(method, path, offloaded: offloaded) { body, query, _ in try handler(body, query) }
    }

    /// The same, for routes that also need where the request went (a catch-all path, this server's address).
    func mlflowRoute(
        _ method: HTTPRequest.Method, _ path: String, offloaded: Bool = true,
        _ handler: @escaping @Sendable (_ body: [UInt8], _ query: [(String, String)], _ target: RequestTarget) throws -> [String: Any]
    ) {
        on(RouterPath(path), method: method) { request, context -> Response in
            let body = Array(buffer: try await request.body.collect(upTo: MLflowServer.maxJSONBytes))
            // Path parameters (`/logged-models/:model_id`) read like query fields.
            let query =
                QueryString.items(request.uri.query)
                + context.parameters.map { (String($0.key), String($0.value).removingPercentEncoding ?? String($0.value)) }
            let target = RequestTarget(
                catchAll: context.parameters.getCatchAll(), base: "http://\(request.head.authority ?? "127.0.0.1")")
            let answer = { @Sendable () throws -> Data in
                let answer = try handler(body, query, target)
                // Most writes answer `{}`: no serializer needed.
                return answer.isEmpty ? Self.emptyObject : try JSONSerialization.data(withJSONObject: answer)
            }
            let data = offloaded ? try await offload(answer) : try answer()
            return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: data)))
        }
    }
}

/// Where a request went: the segments a `**` route matched, and this server's address as the client reached it.
struct RequestTarget: Sendable {
    var catchAll: [Substring]
    var base: String
}

/// Query strings as Python's `requests` writes them: `+` for spaces, percent escapes for the rest.
public enum QueryString {
    public static func items(_ query: String?) -> [(String, String)] {
        guard let query, !query.isEmpty else { return [] }
        return query.split(separator: "&").map { item in
            let parts = item.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false).map(decode)
            return (parts[0], parts.count > 1 ? parts[1] : "")
        }
    }

    static func decode(_ s: Substring) -> String {
        let spaced = s.replacingOccurrences(of: "+", with: " ")
        return spaced.removingPercentEncoding ?? spaced
    }
}
