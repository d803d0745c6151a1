import ArgumentParser
import Foundation
import LedgerModel
import LedgerProtocol
import LedgerStore

struct DeployCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "deploy",
        abstract: "Record which model version serves in which environment, roll back, and see where each serves.",
        discussion: """
            A deployment is a signed event: which version serves in an environment (production, staging, ...), \
            since when, deployed by whom and why, and what it replaced. Environments protected with \
            `mledger deploy protect` take deployments only from that role or above. `mledger audit MODEL` \
            shows deployments beside promotions.
            """,
        subcommands: [Record.self, Rollback.self, List.self, Status.self, Protect.self]
    )

    struct Record: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Record that a version now serves in an environment.",
            usage: "mledger deploy record digits@production --env production --target k8s/eu-1 --reason 'promoted v3 rolled out'")
        @Argument(help: "MODEL@ALIAS, MODEL@VERSION, or MODEL.") var reference: String
        @Argument(help: "The version, when the first argument is a bare MODEL.") var version: String?
        @Option(help: "The environment it serves in.") var env: String
        @Option(help: "Where it runs (host, cluster, URL).") var target: String?
        @Option(help: "Why (required; shown in the audit trail).") var reason: String

        func run() throws {
            let session = try Session.open()
            let (model, name, versionID) = try Deployed.version(session.ledger, reference: reference, version: version)
            let before = try session.ledger.stints(model: model, environment: env).last
            try session.ledger.deploy(
                model: model, version: versionID, environment: env, target: target, reason: reason, signer: try session.signer())
            let now = try session.ledger.deployments(model: model, environment: env).last
            let replaced = before.map { _ in " (replaces \(Self.label(now?.replacedNumber, now?.replaced)))" } ?? ""
            print("\(name) \(Self.label(now?.versionNumber, now?.version)) serves in \(env)\(replaced)")
        }

        static func label(_ number: UInt64?, _ id: String?) -> String { number.map { "v\($0)" } ?? String(id?.prefix(12) ?? "-") }
    }

    struct Rollback: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Put back the version that served before the current one.",
            usage: "mledger deploy rollback digits --env production --reason 'accuracy fell to 0.71'")
        @Argument(help: "The model (optional when only one serves in the environment).") var model: String?
        @Option(help: "The environment.") var env: String
        @Option(help: "Why (required; shown in the audit trail).") var reason: String

        func run() throws {
            let session = try Session.open()
            let model = try Deployed.model(session.ledger, named: self.model, environment: env)
            try session.ledger.rollback(model: model.id, environment: env, reason: reason, signer: try session.signer())
            let now = try session.ledger.deployments(model: model.id, environment: env).last
            print(
                "\(model.name) rolled back in \(env): \(Record.label(now?.replacedNumber, now?.replaced)) -> \(Record.label(now?.versionNumber, now?.version))"
            )
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Deployment timelines: every version that served, when, by whom, why (one model, or all).")
        @Argument(help: "The model (default: every deployed model).") var model: String?
        @Option(help: "Only this environment.") var env: String?
        @OptionGroup var output: OutputOptions

        func run() throws {
            let ledger = try Session.open().ledger
            let names = try model.map { [$0] } ?? Array(Set(try ledger.currentDeployments().map(\.model))).sorted()
            let rows = try names.flatMap { name in try ledger.deployments(model: try ledger.modelID(named: name), environment: env).map { (name, $0) }
            }
            if output.json { return try Output.json(rows.map { Status.Entry(modelName: $0.0, deployment: $0.1) }) }
            if rows.isEmpty { return print("Nothing deployed\(env.map { " in \($0)" } ?? ""): see `mledger deploy record --help`.") }
            DeployCommand.table(rows.map { (model: $0.0, stint: $0.1) }, withModel: model == nil)
        }
    }

    struct Status: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "What serves now in every environment (or one).")
        @Option(help: "Only this environment.") var env: String?
        @OptionGroup var output: OutputOptions

        struct Entry: Encodable {
            var modelName: String
            var deployment: DeploymentView
        }

        func run() throws {
            let current = try Session.open().ledger.currentDeployments(environment: env)
            if output.json { return try Output.json(current.map { Entry(modelName: $0.model, deployment: $0.stint) }) }
            if current.isEmpty { return print("Nothing deployed\(env.map { " in \($0)" } ?? ""): see `mledger deploy record --help`.") }
            DeployCommand.table(current.map { ($0.model, $0.stint) }, withModel: true)
        }
    }

    struct Protect: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Let only members with at least ROLE deploy to an environment (admins only).",
            usage: "mledger deploy protect production --role maintainer")
        @Argument(help: "The environment, e.g. production.") var environment: String
        @Option(help: "The least role that may deploy to it.") var role: String = "maintainer"

        func run() throws {
            guard let r = Role(rawValue: role) else { throw ValidationError("--role must be reader, writer, maintainer or admin") }
            try Session.open().append(EnvironmentProtect(environment: environment, role: r))
            print("deployments to '\(environment)' now need a \(r.rawValue) or above")
        }
    }

    /// One line per stint: environment, version, since/until, who, what it replaced, why.
    static func table(_ rows: [(model: String, stint: DeploymentView)], withModel: Bool) {
        let header = ["ENV", "VERSION", "SINCE", "UNTIL", "BY", "REPLACED", "TARGET", "REASON"]
        Output.table(
            (withModel ? ["MODEL"] : []) + header,
            rows.map { m, s in
                (withModel ? [m] : [])
                    + [
                        s.environment, Record.label(s.versionNumber, s.version) + (s.rollback ? " (rollback)" : ""), Output.time(s.since),
                        s.until.map(Output.time) ?? (s.serving ? "serving" : "-"), s.deployedBy.label,
                        s.replaced == nil ? "-" : Record.label(s.replacedNumber, s.replaced), s.target ?? "-", s.reason,
                    ]
            })
    }
}
