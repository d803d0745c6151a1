/// Bounds the bytes of request bodies the relay holds at once. Only members' bodies are read at all
/// (`RequestAuthenticator`), but many members pushing together could still add up: a body is read only
/// once its size (as announced, else the largest allowed) fits in the budget, and others wait their turn.
actor BodyBudget {
    let limit: Int
    private(set) var inUse = 0
    private var waiting: [(bytes: Int, resume: CheckedContinuation<Void, Never>)] = []

    init(limit: Int) { self.limit = limit }

    /// Waits, first come first served, until `bytes` (at most `limit`) fit.
    func acquire(_ bytes: Int) async {
        let bytes = min(bytes, limit)
        if waiting.isEmpty && inUse + bytes <= limit {
            inUse += bytes
            return
        }
        await withCheckedContinuation { waiting.append((bytes, $0)) }
    }

    func release(_ bytes: Int) {
        inUse -= min(bytes, limit)
        while let next = waiting.first, inUse + next.bytes <= limit {
            inUse += next.bytes
            waiting.removeFirst()
            next.resume.resume()
        }
    }
}
