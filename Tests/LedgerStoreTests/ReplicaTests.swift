import Foundation
import LedgerProtocol
import Testing

@testable import LedgerStore

/// A relay's local copy of a shared database's history (`follow`): each event lands at the row its
/// shared position names, whatever merge order would say, so every relay serves the same pull cursors
/// and grows the same transparency log.
@Suite struct ReplicaTests {
    @Test func aCopyKeepsTheSharedOrderRowForRow() throws {
        var scenario = Scenario(seed: 11)
        _ = scenario.workOffline()
        let shared = scenario.interleaved()
        let merged = try TemporaryLedger()
        _ = try merged.ledger.ingest(shared, signaturesVerified: true)
        let mergeOrder = try merged.ledger.eventIDs(after: 0, limit: 10_000).map(\.id)
        #expect(mergeOrder != shared.map(\.id), "the arrival order differs from merge order, or this proves nothing")

        let copy = try TemporaryLedger()
        let half = shared.count / 2
        try copy.ledger.follow(Array(shared[..<half]), through: Int64(half))
        try copy.ledger.follow(Array(shared[half...]), through: Int64(shared.count))
        #expect(try copy.ledger.eventIDs(after: 0, limit: 10_000).map(\.id) == shared.map(\.id))
        #expect(try copy.ledger.followedPosition() == Int64(shared.count))
        #expect(try copy.ledger.projectionDigest() == merged.ledger.projectionDigest(), "views do not depend on arrival order")
    }

    @Test func aPageThatWouldLandElsewhereIsRefusedAndChangesNothing() throws {
        var scenario = Scenario(seed: 12)
        _ = scenario.workOffline(runsPerMember: 1)
        let shared = scenario.interleaved()
        let copy = try TemporaryLedger()
        #expect(throws: StoreError.self) { try copy.ledger.follow(Array(shared.prefix(10)), through: 11) }
        #expect(try copy.ledger.eventCount() == 0)
        #expect(try copy.ledger.followedPosition() == 0)
    }
}
