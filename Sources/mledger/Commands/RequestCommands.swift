import ArgumentParser
import Foundation
import LedgerModel
import LedgerProtocol
import LedgerStore

/// Promotion requests and approvals (SPEC 6.15): on an alias protected with `--approvals N`, a request
/// moves the alias once N distinct members with the protecting role approve it.
extension ModelCommand {
    struct Request: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Ask for an alias to point at a version once enough members approve.",
            usage: "mledger model request digits 3 --to production --reason 'beats v2 on holdout: acc 0.981'",
            discussion: """
                Prints the request id that `mledger model approve` and `reject` take. The request names the \
                alias as this ledger sees it: if the alias moves on before the quorum, the request expires.
                """)
        @Argument(help: "The model.") var model: String
        @Argument(help: "The version.") var version: String
        @Option(help: "The alias to set once approved.") var to: String
        @Option(help: "Why (required; shown to approvers and in the audit trail).") var reason: String
        @Option(help: "Supporting evidence, e.g. run:3f2a or acc=0.981 (repeatable).") var evidence: [String] = []

        func run() throws {
            let session = try Session.open()
            let modelID = try session.ledger.modelID(named: model)
            let versionID = try session.ledger.versionID(model: modelID, version)
            let event = try session.ledger.requestPromotion(
                model: modelID, version: versionID, alias: to, reason: reason, evidence: evidence, signer: try session.signer())
            let request = try session.ledger.request(event.id.hex)
            print("request \(event.id.hex.prefix(12)): \(model) \(to) -> \(version), needs \(request.progress); run `mledger sync` to share it")
        }
    }

    struct Approve: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Approve a promotion request, with a reason.", usage: "mledger model approve 3f2a9c41 --reason 'checked the eval report'")
        @Argument(help: "The request id (or a unique prefix of at least 4 hex digits).") var request: String
        @Option(help: "Why (required; shown in the audit trail).") var reason: String

        func run() throws { try Decide.run(request, .approve, reason) }
    }

    struct Reject: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Reject a promotion request, with a reason.", usage: "mledger model reject 3f2a9c41 --reason 'latency doubled'")
        @Argument(help: "The request id (or a unique prefix of at least 4 hex digits).") var request: String
        @Option(help: "Why (required; shown in the audit trail).") var reason: String

        func run() throws { try Decide.run(request, .reject, reason) }
    }

    enum Decide {
        static func run(_ request: String, _ verdict: PromotionDecision.Verdict, _ reason: String) throws {
            let session = try Session.open()
            try session.ledger.decide(request: request, verdict: verdict, reason: reason, signer: try session.signer())
            let after = try session.ledger.request(request)
            print("\(verdict.rawValue)d request \(after.id.prefix(12)): \(after.state.rawValue), \(after.progress); run `mledger sync` to share it")
        }
    }

    struct Requests: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List promotion requests with their approvals and outcome.", usage: "mledger model requests digits --open")
        @Argument(help: "Only this model's requests.") var model: String?
        @Flag(help: "Only requests still waiting for approvals.") var open = false
        @OptionGroup var output: OutputOptions

        func run() throws {
            let ledger = try Session.open().ledger
            let requests = try ledger.requests(model: try model.map { try ledger.modelID(named: $0) }, openOnly: open)
            if output.json { return try Output.json(requests) }
            if requests.isEmpty { return print(open ? "No open requests." : "No promotion requests.") }
            for r in requests { RequestText.print(r) }
        }
    }
}

/// A request as text: one line of what was asked and where it stands, then each decision.
enum RequestText {
    static func print(_ r: RequestView) {
        let version = r.versionNumber.map { "v\($0)" } ?? String(r.version.prefix(12))
        Swift.print("\(r.id.prefix(12))  \(r.modelName) \(r.alias) -> \(version)  \(r.state.rawValue.uppercased())  \(r.progress)")
        Swift.print("  requested by \(r.requestedBy.label) at \(Output.time(r.at)): \(r.reason)")
        for d in r.decisions {
            let note = d.note.map { "  [does not count: \($0)]" } ?? ""
            Swift.print("  \(d.verdict.rawValue)d by \(d.author.label) at \(Output.time(d.at)): \(d.reason)\(note)")
        }
        if let at = r.decidedAt { Swift.print("  \(r.state == .rejected ? "blocked" : "quorum reached") at \(Output.time(at))") }
        if let why = r.expiry { Swift.print("  expired: \(why)") }
    }
}
