import LedgerProtocol

extension Ledger {
    /// Signs a chained batch on all cores a chunk at a time, and hands each chunk to `store` while the
    /// next one is signed, so signing (all cores) and SQLite (one core) overlap. Ids were fixed when the
    /// batch was chained, so the chunks may be signed in any order; they are stored in order. A batch of
    /// one chunk is signed on the calling thread.
    static func sign(
        _ events: [UnsignedEvent], with key: SigningKey, chunk: Int = 200, storing store: ([SignedEvent]) throws -> Void
    ) throws -> [SignedEvent] {
        let chunks = stride(from: 0, to: events.count, by: chunk).map { Array(events[$0..<min($0 + chunk, events.count)]) }
        var signed = [SignedEvent]()
        signed.reserveCapacity(events.count)
        guard let first = chunks.first else { return signed }
        var ready = sign(first, with: key)
        for k in chunks.indices {
            let next = k + 1 < chunks.count ? Background { [events = chunks[k + 1]] in sign(events, with: key) } : nil
            try store(ready)
            signed += ready
            guard let next else { break }
            ready = next.wait()
        }
        return signed
    }
}
