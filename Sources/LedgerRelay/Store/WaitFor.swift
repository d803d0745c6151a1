import Foundation

/// Runs async work and blocks this thread until it ends. For the few places where a blocking step (an
/// SQLite transaction) must wait for a database round trip inside it. Call it only from a thread of its
/// own (`onOwnThread`): never from the async executor's threads, whose work this waits for, nor from the
/// dispatch pool's (`offload`), which on Linux are the same pool, grown only when a periodic check finds
/// its threads blocked (a push stalled some 250 ms on it).
func waitFor<T: Sendable>(_ work: @escaping @Sendable () async throws -> T) throws -> T {
    let box = OutcomeBox<T>()
    Task {
        do { box.result = .success(try await work()) } catch { box.result = .failure(error) }
        box.done.signal()
    }
    box.done.wait()
    guard let result = box.result else { preconditionFailure("waitFor: the task ended without an outcome") }
    return try result.get()
}

/// Written once by the task before it signals, read once after the wait: the semaphore orders the two.
private final class OutcomeBox<T: Sendable>: @unchecked Sendable {
    var result: Result<T, any Error>?
    let done = DispatchSemaphore(value: 0)
}
