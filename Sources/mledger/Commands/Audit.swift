import ArgumentParser
import LedgerModel
import LedgerStore

struct Audit: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "The audit trail: who created, promoted, demoted, archived and deployed which version, when and why.",
        usage: "mledger audit digits",
        discussion: """
            Each entry's signature is checked again from the stored bytes. CONFLICT marks concurrent, \
            unresolved changes to one alias; FORK marks an author who signed two different events at one \
            position of their chain (a restored or copied key); NOT-ALLOWED marks an alias change by an \
            author who lacked the role it needed (shown, but without effect). REASON MISSING marks a \
            promotion, demotion or archival that arrived without a reason (for example through the \
            MLflow-compatible endpoint): the ledger records a marker instead of inventing one. \
            IMPORTED marks an event `mledger import` signed for a fact read from another system (its \
            source, original author and time follow the reason); STATE-AT-IMPORT marks a stage or alias \
            that system held when it was imported, since it keeps no history of when it was set. \
            Deployments show their environment (env:NAME) and the version they replaced; alerts their \
            evidence; `retrain` marks a run that a rule's alert started.
            """
    )
    @Argument(help: "The model (default: all models and team membership).") var model: String?
    @Flag(help: "Each relay's transparency log as this workspace checked it: log key, last checkpoint, evidence of misbehaviour.")
    var relay = false
    @OptionGroup var output: OutputOptions

    struct Report: Encodable {
        var entries: [Line]
        var forks: [ForkView]
    }

    /// An entry as printed by --json: its own fields, plus `reasonMissing` where a reason belongs.
    struct Line: Encodable {
        var entry: AuditEntry
        enum Key: String, CodingKey { case reasonMissing }

        func encode(to encoder: Encoder) throws {
            try entry.encode(to: encoder)
            guard entry.needsReason else { return }
            var extra = encoder.container(keyedBy: Key.self)
            try extra.encode(PromotionReason.isMissing(entry.reason), forKey: .reasonMissing)
        }
    }

    func run() throws {
        let ledger = try Session.open().ledger
        if relay { return try RelayAudit.run(ledger, json: output.json) }
        let entries = try ledger.audit(model: try model.map { try ledger.modelID(named: $0) })
        let forks = try ledger.forks()
        if output.json { return try Output.json(Report(entries: entries.map(Line.init), forks: forks)) }
        if entries.isEmpty { print("Nothing in the audit trail yet.") }
        Output.table(
            ["TIME", "WHO", "ACTION", "ALIAS", "CHANGE", "SIG", "FLAGS", "REASON"],
            entries.map { e in
                let change: String
                switch e.action {
                case .promoted, .demoted, .deployed, .rolledBack:
                    change = "\(e.from.isEmpty ? "-" : e.from.map { "v\($0)" }.joined(separator: "+")) -> \(e.to.map { "v\($0)" } ?? "-")"
                case .versionCreated, .archived, .alerted: change = e.to.map { "v\($0)" } ?? ""
                case .deleted, .restored, .renamed: change = e.text ?? ""
                case .requested, .approved, .rejected: change = "-> \(e.to.map { "v\($0)" } ?? "-")"
                default: change = ""
                }
                let flags = [
                    e.conflict ? "CONFLICT" : nil, e.fork ? "FORK" : nil, e.authorized ? nil : e.isDecision ? "NOT-COUNTED" : "NOT-ALLOWED",
                    e.imported.map { $0.stateAtImport ? "STATE-AT-IMPORT" : "IMPORTED" },
                    e.needsReason && PromotionReason.isMissing(e.reason) ? "REASON MISSING" : nil,
                ]
                .compactMap { $0 }.joined(separator: ",")
                let why =
                    (e.reason.map { r in e.evidence.isEmpty ? r : "\(r) [evidence: \(e.evidence.joined(separator: ", "))]" } ?? e.text ?? "")
                    + (e.imported.map { " (\($0.summary(time: Output.time)))" } ?? "")
                    + (e.isDecision || e.action == .requested ? e.text.map { " (\($0))" } ?? "" : "")
                return [
                    Output.time(e.time), e.author.label, e.action.rawValue, e.alias ?? e.environment.map { "env:\($0)" } ?? "", change,
                    e.signatureVerified ? "ok" : "INVALID", flags, why,
                ]
            })
        for f in forks {
            print(
                "FORK: \(f.author.label) signed \(f.events.count) different events at seq \(f.seq): \(f.events.map { String($0.prefix(12)) }.joined(separator: ", "))"
            )
        }
    }
}

extension AuditEntry {
    /// Promotions, demotions and archivals must say why.
    var needsReason: Bool { [.promoted, .demoted, .archived, .deployed, .rolledBack].contains(action) }
    /// An approval or rejection of a promotion request.
    var isDecision: Bool { action == .approved || action == .rejected }
}
