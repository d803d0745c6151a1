import Foundation
import Hummingbird

/// An HTTP error whose JSON body says what went wrong and what to do: `{"error": code, "message": text}`.
struct RelayError: HTTPResponseError {
    let status: HTTPResponse.Status
    let code: String
    let message: String
    /// Headers the answer carries beside its JSON (how many bytes of a blob the relay holds).
    var headers: HTTPFields = [:]

    static func unauthorized(_ message: String) -> RelayError { RelayError(status: .unauthorized, code: "unauthorized", message: message) }
    static func forbidden(_ message: String) -> RelayError { RelayError(status: .forbidden, code: "forbidden", message: message) }
    static func badRequest(_ code: String, _ message: String) -> RelayError { RelayError(status: .badRequest, code: code, message: message) }
    static func notFound(_ message: String) -> RelayError { RelayError(status: .notFound, code: "not_found", message: message) }

    func response(from request: Request, context: some RequestContext) throws -> Response {
        let body = try JSONSerialization.data(withJSONObject: ["error": code, "message": message], options: [.sortedKeys])
        var fields = headers
        fields[.contentType] = "application/json"
        return Response(status: status, headers: fields, body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }
}

/// The shared database did not answer in time: 503, so the client retries later, here or elsewhere.
extension RelayStoreError: HTTPResponseError {
    public var status: HTTPResponse.Status { .serviceUnavailable }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        try RelayError(status: status, code: "database_unavailable", message: description).response(from: request, context: context)
    }
}
