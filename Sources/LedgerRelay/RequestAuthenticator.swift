import HTTPTypes
import Hummingbird
import LedgerProtocol
import LedgerStore

/// Checks every request's signature (see `RequestSignature`) from its headers alone, before a byte of
/// its body is read: a fresh timestamp, a valid signature over this relay's id and team, the method,
/// target and signed body hash, a key that belongs to an active member, and a nonce never seen before. Only then is the body read,
/// and refused unless it hashes to the signed value, so a request that is not a member's costs the relay
/// no body. A bad signature and a stranger's good one get the same 401 and message: the answer does not
/// tell who is a member.
struct RequestAuthenticator: RouterMiddleware {
    typealias Context = RelayContext
    let state: RelayState

    static let refused = RelayError.unauthorized(
        "request not accepted: it must be signed for this relay and its team by the key of a current member "
            + "(use `mledger sync`; an admin adds members with `mledger team add`)")

    func handle(_ request: Request, context: RelayContext, next: (Request, RelayContext) async throws -> Response) async throws -> Response {
        var request = request
        var context = context
        let h = request.headers
        func header(_ name: String) -> String? { HTTPField.Name(name).flatMap { h[$0] } }
        guard
            let signed = RequestSignature(
                key: header(RequestSignature.Header.key), time: header(RequestSignature.Header.time),
                nonce: header(RequestSignature.Header.nonce), signature: header(RequestSignature.Header.signature)),
            let bodyHash = header(RequestSignature.Header.bodySHA256).flatMap(Hex.decode), bodyHash.count == 32
        else {
            throw RelayError.unauthorized("requests must be signed with a device key (X-Mledger-* headers): use `mledger sync`")
        }
        let now = wallClockMs()
        // The upper bound first: a huge time must not overflow the addition after it.
        guard signed.timeMs <= now + RequestSignature.maxSkewMs, signed.timeMs + RequestSignature.maxSkewMs >= now else {
            throw RelayError.unauthorized("request time is more than 5 minutes from the relay's clock: check this machine's clock")
        }
        // A blob upload signs the hash named in its path; its bytes are checked against it as they stream in.
        let blobHash = request.method == .put ? BlobRoutes.hash(inPath: request.uri.path) : nil
        if let blobHash, blobHash != bodyHash {
            throw RelayError.unauthorized("a blob upload signs the SHA-256 in its path as its X-Mledger-Body-SHA256")
        }
        // `CatchUp` ran first: what another relay on the shared store accepted (a new member) counts here.
        let ledger = state.ledger
        let (team, role) = try await offload { (try ledger.team(), try ledger.currentRole(of: signed.key)) }
        let hasTeam = team != nil
        // Signed for this relay and its team: a request captured on its way to another relay is refused here.
        let audience = state.audience(holding: team)
        guard signed.isValid(method: request.method.rawValue, target: request.uri.description, bodySHA256: bodyHash, audience: audience) else {
            throw Self.refused
        }
        // A stranger's well-signed request is answered exactly as a bad signature.
        if hasTeam, role == nil { throw Self.refused }
        // Only members' nonces are recorded, so strangers cannot make the relay write.
        guard try await state.store.acceptNonce(signed.nonce, timeMs: signed.timeMs, nowMs: now) else {
            throw RelayError.unauthorized("this request was already received (replayed nonce)")
        }
        context.signer = signed.key
        context.role = role
        context.uploadLimit = state.configuration.maxBodyBytes
        guard blobHash == nil else { return try await next(request, context) }
        // Authenticated: now the body may be read, up to the limit and within the budget of bodies held
        // at once (kept until the route is done with it), and must be the signed one.
        // A request without Content-Length or Transfer-Encoding has no body (a pull, the frontier).
        let announced =
            request.headers[.contentLength].flatMap { Int($0) }
            ?? (request.headers[.transferEncoding] == nil ? 0 : context.maxUploadSize)
        let claim = min(max(announced, 0), context.maxUploadSize)
        if claim > 0 { await state.bodies.acquire(claim) }
        do {
            let body = try await request.collectBody(upTo: context.maxUploadSize)
            var hasher = SHA256Stream()
            body.withUnsafeReadableBytes { hasher.update($0) }
            guard hasher.finish() == bodyHash else {
                throw RelayError.unauthorized("the body does not hash to the signed X-Mledger-Body-SHA256; nothing was stored")
            }
            let response = try await next(request, context)
            if claim > 0 { await state.bodies.release(claim) }
            return response
        } catch {
            if claim > 0 { await state.bodies.release(claim) }
            throw error
        }
    }
}
