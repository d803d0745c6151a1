import Foundation
import LedgerProcesses
import LedgerProtocol
import LedgerStore

/// The end of every multi-client scenario: everyone syncs until nothing moves, then every ledger must
/// hold the same events, pass `mledger verify`, and show the same views as the relay.
struct Agreement {
    let team: Team
    let clients: [CLIProcess]
    let tally: Tally
    /// Called before the relay's store is read: relays on a shared database bring their copy up to date.
    var refresh: () -> Void = {}

    /// Syncs every client, in `order` (default: as given), pass after pass until all count the relay's
    /// events. Clients in `forked` share a forked key: their syncs must fail, saying so.
    func settle(order: (Int) -> [Int] = { Array(0..<$0) }, forked: Set<Int> = [], maxPasses: Int = 5) throws -> LedgerFacts {
        var relay = try LedgerFacts.read(team.relay.database)
        for pass in 1...maxPasses {
            for i in order(clients.count) {
                let r = try clients[i].execute(["sync"])
                if forked.contains(i), !r.ok {
                    tally.check(
                        r.stdout.contains("forked chain"), "sync of forked client \(i) in pass \(pass) failed otherwise: \(r.stdout.prefix(400))")
                    continue
                }
                tally.check(r.ok, "sync of client \(i) in pass \(pass) failed: \((r.stderr + r.stdout).prefix(400))")
            }
            refresh()
            relay = try LedgerFacts.read(team.relay.database)
            if pass >= 2, try clients.allSatisfy({ try LedgerFacts.read($0.database) == relay }) { return relay }
        }
        return relay
    }

    /// Same events, intact chains (unless `forksExpected`), valid ledgers, identical view digests.
    func check(forksExpected: Bool = false) throws {
        let relayFacts = try LedgerFacts.read(team.relay.database)
        if !forksExpected {
            tally.check(relayFacts.brokenChains.isEmpty, "relay chains with gaps or duplicates: \(relayFacts.brokenChains)")
        } else {
            tally.check(relayFacts.chains.allSatisfy { $0.value.seqs == $0.value.highest }, "relay chains with gaps: \(relayFacts.brokenChains)")
        }
        let relayLedger = try team.relayLedger()
        let relayDigest = try relayLedger.projectionDigest().hex
        let relayReport = try relayLedger.verify()
        tally.check(relayReport.ok, "relay ledger fails verify: \(relayReport.problems.prefix(3)) \(relayReport.projectionMismatches ?? [])")
        for (i, client) in clients.enumerated() {
            let facts = try LedgerFacts.read(client.database)
            tally.check(facts == relayFacts, "client \(i) holds \(facts), the relay \(relayFacts)")
            let r = try client.execute(["verify", "--json"])
            let report = (try? JSONSerialization.jsonObject(with: Data(r.stdout.utf8))) as? [String: Any]
            tally.check(r.ok && report?["ok"] as? Bool == true, "`mledger verify` fails on client \(i): \(r.stdout.prefix(300))")
            tally.check(
                report?["digest"] as? String == relayDigest,
                "client \(i) view digest \(report?["digest"] as? String ?? "none") differs from the relay's \(relayDigest)")
            // An honest relay under faults is never taken for a lying one (SPEC 6.17, 6.18).
            let audit = try client.jsonOutput(["audit", "--relay"]) as? [String: Any]
            let evidence = audit?["evidence"] as? [[String: Any]]
            tally.check(evidence?.isEmpty == true, "client \(i) holds evidence against an honest relay: \(evidence?.first ?? [:])")
            let witnesses = (audit?["relays"] as? [[String: Any]])?.flatMap { $0["witnesses"] as? [[String: Any]] ?? [] } ?? []
            tally.check(
                !witnesses.contains { $0["consistent"] as? Bool == false }, "client \(i) found a cosignature inconsistent with its own checkpoint")
        }
        tally.add(events: relayFacts.events)
    }

    /// Every id in `acknowledged` is stored by the relay and by every client.
    func checkPresent(_ acknowledged: Set<String>) throws {
        for (name, path) in [("relay", team.relay.database)] + clients.enumerated().map({ ("client \($0.offset)", $0.element.database) }) {
            let missing = try LedgerFacts.missing(acknowledged, in: path)
            tally.check(missing.isEmpty, "\(name) lacks \(missing.count) acknowledged events, e.g. \(missing.first ?? "")")
        }
    }
}
