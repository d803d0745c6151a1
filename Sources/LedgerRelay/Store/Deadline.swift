import Synchronization

/// Runs `work`, giving up after `seconds` without waiting for it to end. A database driver can leave a
/// statement unanswered forever (a connection that closed while the statement was being sent), and
/// such work may not end when cancelled either, so the caller must not wait for it: it is cancelled and
/// left behind, and the caller gets `RelayStoreError.unreachable` (a 503 to the client).
func withDeadline<T: Sendable>(seconds: Double, _ what: String, _ work: @escaping @Sendable () async throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        let outcome = FirstOutcome(continuation)
        let task = Task {
            do { outcome.settle(.success(try await work())) } catch { outcome.settle(.failure(error)) }
        }
        Task {
            try? await Task.sleep(for: .seconds(seconds))
            if outcome.settle(.failure(RelayStoreError.unreachable(what, "no answer within \(Int(seconds.rounded(.up))) s"))) {
                task.cancel()
            }
        }
    }
}

/// Resumes a continuation with whichever outcome comes first; later ones are dropped.
private final class FirstOutcome<T: Sendable>: Sendable {
    private let continuation: Mutex<CheckedContinuation<T, any Error>?>

    init(_ continuation: CheckedContinuation<T, any Error>) { self.continuation = Mutex(continuation) }

    /// True when this outcome was the first.
    @discardableResult
    func settle(_ result: Result<T, any Error>) -> Bool {
        guard let waiting = continuation.withLock({ $0.take() }) else { return false }
        waiting.resume(with: result)
        return true
    }
}
