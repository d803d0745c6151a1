import Foundation
import LedgerModel
import LedgerProtocol
import LedgerStore

/// `mledger audit --relay`: each relay's transparency log as this workspace checked it (SPEC 6.17): the
/// pinned log key, the last checkpoint accepted, the members who witnessed it (SPEC 6.18), and every
/// failed check with its evidence, named.
enum RelayAudit {
    struct Report: Encodable {
        var relays: [RelayLogView]
        var evidence: [LogEvidence]
    }

    static func run(_ ledger: Ledger, json: Bool) throws {
        let relays = try ledger.relayLogs()
        let report = Report(relays: relays, evidence: try ledger.logEvidence())
        if json { return try Output.json(report) }
        Output.table(
            ["REMOTE", "LOG KEY", "ANNOUNCED", "ACCEPTED SIZE", "ROOT", "PAGES CHECKED"],
            relays.map { r in
                [
                    r.remote, r.logKey ?? "(no log)", r.announced ? "yes" : "no", r.size.map(String.init) ?? "-",
                    r.root.map { String($0.prefix(16)) } ?? "-",
                    r.pagesChecked ? "yes" : "no",
                ]
            })
        for r in relays where !r.witnesses.isEmpty {
            print("\nWitnesses of \(r.remote)'s log (the largest checkpoint each member cosigned):")
            Output.table(
                ["MEMBER", "SIZE", "ROOT", "CONSISTENT WITH OURS"],
                r.witnesses.map { w in
                    [
                        w.member.name ?? w.member.fingerprint, String(w.size), String(w.root.prefix(16)),
                        w.consistent.map { $0 ? "yes" : "NO" } ?? "not checked yet",
                    ]
                })
        }
        if report.evidence.isEmpty { return print("No evidence of misbehaviour.") }
        for e in report.evidence {
            print("\nEVIDENCE \(e.code) from \(e.remote) at \(e.timeMs) ms: \(e.message)")
            if let accepted = e.accepted { print("accepted before:\n\(accepted)") }
            if let served = e.served { print("served:\n\(served)") }
            if !e.proof.isEmpty { print("proof:\n\(e.proof)") }
        }
    }
}
