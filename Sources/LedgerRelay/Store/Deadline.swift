/// Runs `work`, giving up after `seconds`: while PostgreSQL is down its connection pool keeps retrying,
/// and a relay must say so rather than wait forever.
func withDeadline<T: Sendable>(seconds: Double, _ what: String, _ work: @escaping @Sendable () async throws -> T) async throws -> T {
    try await withThrowingTaskGroup(of: T.self) { group in
        group.addTask { try await work() }
        group.addTask {
            try await Task.sleep(for: .seconds(seconds))
            throw RelayStoreError.unreachable(what, "no answer within \(Int(seconds)) s")
        }
        defer { group.cancelAll() }
        guard let first = try await group.next() else { throw RelayStoreError.unreachable(what, "no answer") }
        return first
    }
}
