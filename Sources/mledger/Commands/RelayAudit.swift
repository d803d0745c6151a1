import Foundation
import LedgerProtocol
import LedgerStore

/// `mledger audit --relay`: each relay's transparency log as this workspace checked it (SPEC 6.17): the
/// pinned log key, the last checkpoint accepted, and every failed check with its evidence, named.
enum RelayAudit {
    struct Log: Encodable {
        var remote: String
        var url: String
        var logKey: String?
        /// Whether an admin announced the log key (`mledger team announce-relay`).
        var announced: Bool
        var size: UInt64?
        var root: String?
        var checkpoint: String?
        var pagesChecked: Bool
    }

    struct Report: Encodable {
        var relays: [Log]
        var evidence: [LogEvidence]
    }

    static func run(_ ledger: Ledger, json: Bool) throws {
        let announced = try ledger.announcedLogKeys()
        let relays = try ledger.remotes().map { remote in
            let log = try ledger.remoteLog(remote.name)
            let checkpoint = try log?.checkpoint.flatMap { try Checkpoint(text: try SignedNote(parsing: $0).text) }
            return Log(
                remote: remote.name, url: remote.url, logKey: log?.logKey, announced: log.map { announced.contains($0.logKey) } ?? false,
                size: checkpoint?.size, root: checkpoint.map { Hex.encode($0.root) },
                checkpoint: log?.checkpoint, pagesChecked: log?.frontier != nil)
        }
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
        if report.evidence.isEmpty { return print("No evidence of misbehaviour.") }
        for e in report.evidence {
            print("\nEVIDENCE \(e.code) from \(e.remote) at \(e.timeMs) ms: \(e.message)")
            if let accepted = e.accepted { print("accepted before:\n\(accepted)") }
            if let served = e.served { print("served:\n\(served)") }
            if !e.proof.isEmpty { print("proof:\n\(e.proof)") }
        }
    }
}
