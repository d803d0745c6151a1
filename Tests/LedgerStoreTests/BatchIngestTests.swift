import Foundation
import LedgerProtocol
import Synchronization
import Testing

@testable import LedgerStore

/// A push stored as its chunks arrive (`ingest(batches:)`): one transaction for all of them, each batch
/// seeing what the earlier ones stored, and reads that never wait for it (`concurrentReads`).
@Suite struct BatchIngestTests {
    @Test func batchesShareOneTransactionAndSeeWhatEarlierOnesStored() throws {
        var scenario = Scenario(seed: 21)
        _ = scenario.workOffline()
        let shared = scenario.interleaved()
        let batches = stride(from: 0, to: shared.count, by: 7).map { Array(shared[$0..<min($0 + 7, shared.count)]) }
        #expect(batches.count > 3)
        var remaining = batches.makeIterator()
        let store = try TemporaryLedger()
        var handedOut = [[LedgerID]]()
        var seenInTransaction = [Int]()
        let results = try store.ledger.ingest(
            batches: { remaining.next().map { $0.map { DecodedEvent(event: $0, body: nil) } } }, signaturesVerified: true,
            afterEach: { db, outcomes, stored in
                #expect(outcomes.count == stored.count, "every event of this scenario is new")
                handedOut.append(stored.map(\.id))
                seenInTransaction.append(try Int.fetchOne(db, sql: "SELECT count(*) FROM events") ?? -1)
            })
        #expect(results.values.allSatisfy { $0 == .accepted })
        // Later batches hold events whose predecessors came in earlier ones: all stored, in batch order.
        #expect(handedOut.flatMap { $0 } == (try store.ledger.eventIDs(after: 0, limit: 10_000).map(\.id)))
        #expect(Set(handedOut.flatMap { $0 }) == Set(shared.map(\.id)))
        let counts = handedOut.map(\.count)
        #expect(seenInTransaction == counts.indices.map { counts[...$0].reduce(0, +) }, "each batch sees the earlier ones' rows")
    }

    @Test func aFailureAfterTheLastBatchStoresNothing() throws {
        var scenario = Scenario(seed: 22)
        _ = scenario.workOffline(runsPerMember: 1)
        let shared = scenario.interleaved()
        var remaining = [Array(shared.prefix(5)), Array(shared.dropFirst(5))].makeIterator()
        let store = try TemporaryLedger()
        struct Refused: Error {}
        #expect(throws: StoreError.self) {
            try store.ledger.ingest(
                batches: { remaining.next().map { $0.map { DecodedEvent(event: $0, body: nil) } } }, signaturesVerified: true,
                afterwards: { _, _ in throw Refused() })
        }
        #expect(try store.ledger.eventCount() == 0)
        #expect(try store.ledger.projectionDigest() == TemporaryLedger().ledger.projectionDigest())
    }

    /// A read from another thread while a write transaction is open: it answers at once, with the last
    /// commit; on one shared connection it would wait until the write ends.
    @Test func readsDoNotWaitForAWriteInProgress() throws {
        var scenario = Scenario(seed: 23)
        _ = scenario.workOffline(runsPerMember: 1)
        let shared = scenario.interleaved()
        let store = try TemporaryLedger(concurrentReads: true)
        _ = try store.ledger.ingest(Array(shared.prefix(3)), signaturesVerified: true)
        let team = try store.ledger.team()
        let answered = DispatchSemaphore(value: 0)
        let seen = Mutex<(team: LedgerID?, count: Int)?>(nil)
        var batches = [Array(shared.dropFirst(3))].makeIterator()
        _ = try store.ledger.ingest(
            batches: { batches.next().map { $0.map { DecodedEvent(event: $0, body: nil) } } }, signaturesVerified: true,
            afterEach: { _, _, _ in
                let ledger = store.ledger
                Thread {
                    let answer = try? (team: ledger.team(), count: ledger.eventCount())
                    seen.withLock { $0 = answer }
                    answered.signal()
                }.start()
                #expect(answered.wait(timeout: .now() + 20) == .success, "the read waited for the write")
            })
        #expect(seen.withLock { $0?.team } == team)
        #expect(seen.withLock { $0?.count } == 3, "a read sees the last commit, not the write in progress")
        #expect(try store.ledger.eventCount() == shared.count)
    }
}
