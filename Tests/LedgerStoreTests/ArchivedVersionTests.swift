import LedgerModel
import LedgerProtocol
import Testing

@testable import LedgerStore

/// An archived version cannot serve again (SPEC 9.2): a promotion ordered after its archival counts
/// nowhere, whatever order the events arrive in; one ordered before it still counts; and this ledger
/// refuses to write one.
@Suite struct ArchivedVersionTests {
    @Test func aPromotionAfterTheArchivalCountsNowhere() throws {
        var s = Scenario(seed: 7)
        let experiment = EntityID.experiment(team: s.team, name: "mnist")
        let model = EntityID.model(team: s.team, name: "digits")
        s.add(s.alice, ExperimentCreate(name: "mnist"))
        s.add(s.alice, ModelCreate(name: "digits"))
        let run = s.add(s.alice, RunStart(experiment: experiment, name: "r"))
        let version = s.add(s.alice, VersionCreate(model: model, run: run.id, files: [], claimedNumber: 1))
        let before = s.add(s.bob, Promote(model: model, version: version.id, alias: "staging", reason: "before"), heads: [version.id])
        let archive = s.add(s.alice, VersionArchive(model: model, version: version.id, reason: "leaks test data"), heads: [before.id])
        let after = s.add(s.bob, Promote(model: model, version: version.id, alias: "production", reason: "after"), heads: [archive.id])
        #expect(after.envelope.clock > archive.envelope.clock && before.envelope.clock < archive.envelope.clock)

        for order in [s.events, s.events.reversed()] {
            let t = try TemporaryLedger()
            _ = try t.ledger.ingest(Array(order), nowMs: s.baseMs + 60_000)
            let aliases = try t.ledger.model(model).aliases.map(\.alias)
            #expect(aliases == ["staging"], "only the promotion made before the archival counts: \(aliases)")
        }

        let t = try TemporaryLedger()
        _ = try t.ledger.ingest(s.events, nowMs: s.baseMs + 60_000)
        #expect(throws: StoreError.self) {
            try t.ledger.promote(model: model, version: version.id, alias: "production", reason: "again", signer: s.alice)
        }
    }
}
