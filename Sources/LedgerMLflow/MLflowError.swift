import Foundation
import Hummingbird
import LedgerStore

/// An error in MLflow's shape, `{"error_code": ..., "message": ...}`, with the HTTP status MLflow's
/// server uses for that code, so the `mlflow` client raises the exception it would raise against MLflow.
public struct MLflowError: HTTPResponseError, CustomStringConvertible {
    public enum Code: String, Sendable {
        case resourceDoesNotExist = "RESOURCE_DOES_NOT_EXIST"
        case resourceAlreadyExists = "RESOURCE_ALREADY_EXISTS"
        case invalidParameterValue = "INVALID_PARAMETER_VALUE"
        case endpointNotFound = "ENDPOINT_NOT_FOUND"
        case badRequest = "BAD_REQUEST"
        case internalError = "INTERNAL_ERROR"
        case unauthenticated = "UNAUTHENTICATED"
        case notImplemented = "NOT_IMPLEMENTED"

        var status: HTTPResponse.Status {
            switch self {
            case .unauthenticated: .unauthorized
            case .resourceDoesNotExist, .endpointNotFound: .notFound
            case .resourceAlreadyExists, .invalidParameterValue, .badRequest: .badRequest
            case .internalError: .internalServerError
            case .notImplemented: .notImplemented
            }
        }
    }

    public let code: Code
    public let message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var status: HTTPResponse.Status { code.status }
    public var description: String { "\(code.rawValue): \(message)" }

    static func notFound(_ message: String) -> MLflowError { MLflowError(.resourceDoesNotExist, message) }
    static func invalid(_ message: String) -> MLflowError { MLflowError(.invalidParameterValue, message) }
    /// MLflow's answer to a required request field that is absent or empty.
    static func missing(_ key: String) -> MLflowError {
        .invalid("Missing value for required parameter '\(key)'. See the API docs for more information about request parameters.")
    }
    static func exists(_ message: String) -> MLflowError { MLflowError(.resourceAlreadyExists, message) }

    /// The MLflow error for a store error: missing things are RESOURCE_DOES_NOT_EXIST, refused input
    /// INVALID_PARAMETER_VALUE, the rest INTERNAL_ERROR (with the store's message, which says what to do).
    public init(_ error: StoreError) {
        switch error {
        case .notFound: self.init(.resourceDoesNotExist, error.description)
        case .invalidInput, .rejected, .ambiguous: self.init(.invalidParameterValue, error.description)
        default: self.init(.internalError, error.description)
        }
    }

    /// The JSON body MLflow sends with an error, written directly: a refused call (a wrong token) should
    /// cost the server next to nothing.
    public var body: [UInt8] {
        Array(#"{"error_code":"#.utf8) + Self.jsonString(code.rawValue) + Array(#","message":"#.utf8) + Self.jsonString(message) + [UInt8(ascii: "}")]
    }

    /// A JSON string literal: quotes, backslashes and control characters escaped, the rest as UTF-8.
    static func jsonString(_ text: String) -> [UInt8] {
        var out: [UInt8] = [UInt8(ascii: "\"")]
        out.reserveCapacity(text.utf8.count + 2)
        for b in text.utf8 {
            switch b {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"): out += [UInt8(ascii: "\\"), b]
            case 0x0a: out += Array(#"\n"#.utf8)
            case ..<0x20: out += Array(String(format: "\\u%04x", b).utf8)
            default: out.append(b)
            }
        }
        out.append(UInt8(ascii: "\""))
        return out
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        Response(status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }
}

/// Turns every failure of an API route, and API requests no route matches, into an MLflow error response.
struct MLflowErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard MLflowServer.isAPI(request.uri.path) else { return try await next(request, context) }
        do {
            return try await next(request, context)
        } catch let error as MLflowError {
            throw error
        } catch let error as StoreError {
            throw MLflowError(error)
        } catch let error as HTTPError where error.status == .notFound {
            throw MLflowError(.endpointNotFound, "no endpoint \(request.method.rawValue) \(request.uri.path) in this MLflow-compatible server")
        } catch let error as HTTPError {
            throw MLflowError(error.status.code >= 500 ? .internalError : .badRequest, error.body ?? error.status.reasonPhrase)
        } catch {
            throw MLflowError(.internalError, "\(error)")
        }
    }
}
