import Hummingbird

/// Counts the requests the relay refuses by status (401 unsigned or stranger, 403 role, 413 too large,
/// 429 too many), whichever route or middleware refused them, for `/metrics`.
struct RefusalCounter<Context: RequestContext>: RouterMiddleware {
    let metrics: RelayMetrics
    static var counted: Set<Int> { [401, 403, 413, 429] }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            let response = try await next(request, context)
            count(response.status.code)
            return response
        } catch let error as any HTTPResponseError {
            count(error.status.code)
            throw error
        }
    }

    private func count(_ status: Int) {
        if Self.counted.contains(status) { metrics.refused(status: status).increment() }
    }
}
