import HTTPTypes
import Hummingbird
import LedgerProtocol
import LedgerStore

/// Checks every request's signature (see `RequestSignature`): a fresh timestamp, a nonce never seen
/// before, a valid signature over the method, target and body hash, and a key that belongs to an active
/// member. Anything else gets 401 (not signed properly) or 403 (not a member) before any route runs.
struct RequestAuthenticator: RouterMiddleware {
    typealias Context = RelayContext
    let state: RelayState

    func handle(_ request: Request, context: RelayContext, next: (Request, RelayContext) async throws -> Response) async throws -> Response {
        var request = request
        var context = context
        let h = request.headers
        func header(_ name: String) -> String? { HTTPField.Name(name).flatMap { h[$0] } }
        guard let signed = RequestSignature(
            key: header(RequestSignature.Header.key), time: header(RequestSignature.Header.time),
            nonce: header(RequestSignature.Header.nonce), signature: header(RequestSignature.Header.signature))
        else {
            throw RelayError.unauthorized("requests must be signed with a device key (X-Mledger-* headers): use `mledger sync`")
        }
        let now = wallClockMs()
        // The upper bound first: a huge time must not overflow the addition after it.
        guard signed.timeMs <= now + RequestSignature.maxSkewMs, signed.timeMs + RequestSignature.maxSkewMs >= now else {
            throw RelayError.unauthorized("request time is more than 5 minutes from the relay's clock: check this machine's clock")
        }
        // Strangers are turned away before their body is read.
        let hasTeam = try await offload { try state.ledger.team() != nil }
        let role = try await offload { try state.ledger.currentRole(of: signed.key) }
        if hasTeam, role == nil {
            throw RelayError.forbidden("key \(signed.key.fingerprint) is not a member of this team, or was removed: ask an admin to run `mledger team add`")
        }
        context.uploadLimit = state.configuration.maxBodyBytes
        let bodyHash: [UInt8]
        if request.method == .put, let blobHash = BlobRoutes.hash(inPath: request.uri.path) {
            bodyHash = blobHash // the upload is checked against this hash as it streams in
        } else {
            let body = try await request.collectBody(upTo: context.maxUploadSize)
            bodyHash = Hashing.sha256(Array(buffer: body))
        }
        guard signed.isValid(method: request.method.rawValue, target: request.uri.description, bodySHA256: bodyHash) else {
            throw RelayError.unauthorized("request signature does not match its key, target or body")
        }
        // Only members' nonces are recorded, so strangers cannot make the relay write.
        guard try await offload({ try state.ledger.acceptNonce(signed.nonce, timeMs: signed.timeMs, nowMs: now) }) else {
            throw RelayError.unauthorized("this request was already received (replayed nonce)")
        }
        context.signer = signed.key
        context.role = role
        return try await next(request, context)
    }
}
