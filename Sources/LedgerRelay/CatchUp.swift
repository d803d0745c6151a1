import Hummingbird

/// Brings the relay's local ledger up to the shared store before a request reads it, so a member added,
/// or an event pushed, through another relay counts here at once (dashboard pages included). Health
/// and metrics are left out: they must answer even when the database does not.
struct CatchUp<Context: RequestContext>: RouterMiddleware {
    let store: any RelayStore

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let path = request.uri.path
        if path != "/healthz", path != "/metrics" { try await store.catchUp() }
        return try await next(request, context)
    }
}
