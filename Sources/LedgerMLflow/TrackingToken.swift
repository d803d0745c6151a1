import Hummingbird
import LedgerProtocol

/// Every write through the endpoint is signed with this device's key, so a request must carry the
/// endpoint's secret, as `Authorization: Bearer TOKEN`: the header the `mlflow` client sends when
/// `MLFLOW_TRACKING_TOKEN` is set. Other users of the machine can reach 127.0.0.1 but not the token.
public struct TrackingToken: Sendable {
    public let value: String

    public init(_ value: String) { self.value = value }

    /// A new random token.
    public static func generate() -> TrackingToken { TrackingToken(Hex.encode(secureRandomBytes(24))) }

    func admits(_ header: String?) -> Bool {
        guard let header, header.hasPrefix("Bearer ") else { return false }
        let given = Array(header.dropFirst(7).utf8)
        let expected = Array(value.utf8)
        guard given.count == expected.count else { return false }
        return zip(given, expected).reduce(0) { $0 | ($1.0 ^ $1.1) } == 0
    }
}

/// Refuses API requests without the endpoint's token; the health check stays open for readiness probes,
/// pages beside the API (the dashboard) have their own sign-in, and the parts of a multipart upload are
/// let in by the secret upload id in their URL (the client sends them without its token).
struct TrackingTokenMiddleware<Context: RequestContext>: RouterMiddleware {
    let token: TrackingToken

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let path = request.uri.path
        guard !MLflowServer.isAPI(path) || path.hasPrefix(MultipartRoutes.partPrefix) || token.admits(request.headers[.authorization]) else {
            throw MLflowError(
                .unauthenticated,
                "this endpoint needs its token: set MLFLOW_TRACKING_TOKEN as `mledger serve` printed it (`mledger run` sets it for you)")
        }
        return try await next(request, context)
    }
}
