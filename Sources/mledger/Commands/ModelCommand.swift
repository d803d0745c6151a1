import ArgumentParser
import Foundation
import LedgerModel
import LedgerProtocol
import LedgerStore
import LedgerSync

struct ModelCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "model",
        abstract: "The model registry: models, versions, aliases and promotions.",
        discussion: """
            VERSION is a display number (3 or v3) or a prefix of the version's id. Every promotion and \
            demotion needs a reason; `mledger audit MODEL` shows who moved which alias, when and why.
            """,
        subcommands: [
            Create.self, List.self, Show.self, VersionCommand.self, Promote.self, Demote.self, Archive.self, Pull.self, Request.self, Approve.self,
            Reject.self, Requests.self,
        ]
    )

    struct Create: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Register a model.", usage: "mledger model create digits")
        @Argument(help: "The model's name.") var name: String
        @Option(help: "What the model does.") var description: String?

        func run() throws {
            let session = try Session.open()
            try session.append(ModelCreate(name: name, description: description))
            print("Created model '\(name)' \(EntityID.model(team: try session.team(), name: name).short)")
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List models with their versions and aliases.")
        @OptionGroup var output: OutputOptions

        func run() throws {
            let models = try Session.open().ledger.liveModels()
            if output.json { return try Output.json(models) }
            if models.isEmpty { return print("No models yet: register one with `mledger model create NAME`.") }
            Output.table(
                ["MODEL", "VERSIONS", "ALIASES"],
                models.map { m in
                    [
                        m.name, String(m.versions.count),
                        m.aliases.map { "\($0.alias)=v\($0.versionNumber.map(String.init) ?? "-")\($0.conflict.isEmpty ? "" : " (CONFLICT)")" }
                            .joined(separator: " "),
                    ]
                })
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show a model's versions and aliases.")
        @Argument(help: "The model.") var name: String
        @OptionGroup var output: OutputOptions

        func run() throws {
            let ledger = try Session.open().ledger
            var model = try ledger.model(named: name)
            model.requests = try ledger.requests(model: try ledger.modelID(named: name))
            let deployments = try LedgerID(hex: model.id).map { try ledger.deployments(model: $0) } ?? []
            if output.json { return try Output.json(WithDeployments(model: model, deployments: deployments)) }
            print("model  \(model.name)  \(model.id.prefix(12))")
            if let d = model.description { print(d) }
            print("")
            Output.table(
                ["VERSION", "ID", "RUN", "CREATED", "BY", "ALIASES", "NOTE"],
                model.versions.map { v in
                    [
                        "v\(v.number)", String(v.id.prefix(12)), v.run.map { String($0.prefix(12)) } ?? "-", Output.time(v.createdAt), v.author.label,
                        v.aliases.joined(separator: ","),
                        [v.archived ? "archived" : nil, v.renumbered ? "created offline as v\(v.claimedNumber)" : nil].compactMap { $0 }.joined(
                            separator: "; "),
                    ]
                })
            for a in model.aliases {
                print(
                    "\n\(a.alias) -> \(a.versionNumber.map { "v\($0)" } ?? "(removed)") set by \(a.setBy.label) at \(Output.time(a.at)): \(a.reason)")
                if let request = a.request { print("  by request \(request.prefix(12)), approved (see below)") }
                if !a.conflict.isEmpty {
                    print("  CONFLICT: concurrent changes; the view shows the first, resolve with a promotion that names all:")
                    for c in a.conflict { print("    \(c.versionNumber.map { "v\($0)" } ?? "(removed)") by \(c.author.label): \(c.reason)") }
                }
            }
            let requests = model.requests ?? []
            if !requests.isEmpty { print("\npromotion requests:") }
            for r in requests { RequestText.print(r) }
            if !deployments.isEmpty {
                print("\nDEPLOYMENTS")
                DeployCommand.table(deployments.map { ("", $0) }, withModel: false)
            }
            let lineage = model.versions.compactMap { v in Self.lineage(v, ledger) }
            if !lineage.isEmpty {
                print("\nLINEAGE")
                for line in lineage { print(line) }
            }
        }

        /// The model as JSON with its deployment timeline beside its fields.
        struct WithDeployments: Encodable {
            var model: ModelView
            var deployments: [DeploymentView]
            enum Key: String, CodingKey { case deployments }

            func encode(to encoder: Encoder) throws {
                try model.encode(to: encoder)
                var extra = encoder.container(keyedBy: Key.self)
                try extra.encode(deployments, forKey: .deployments)
            }
        }

        /// version -> logged model -> run (git commit, environment) -> dataset digests, when known.
        static func lineage(_ v: VersionView, _ ledger: Ledger) -> String? {
            guard v.loggedModel != nil || v.run != nil else { return nil }
            var parts = ["v\(v.number)"]
            if let logged = v.loggedModel {
                let name = (try? ledger.loggedModel(logged))?.name
                parts.append("logged model m-\(logged.prefix(32))\(name.map { " (\($0))" } ?? "")")
            }
            if let runID = v.run, let id = LedgerID(hex: runID), let run = try? ledger.run(id) {
                let facts = [
                    run.gitCommit.map { "git \($0.prefix(12))\(run.gitDirty == true ? " dirty" : "")" },
                    run.environment.map { "env \($0.prefix(12))" },
                ].compactMap { $0 }
                parts.append("run \(runID.prefix(12))\(facts.isEmpty ? "" : " (\(facts.joined(separator: ", ")))")")
                if !run.datasets.isEmpty {
                    parts.append("data " + run.datasets.map { "\($0.name)@\($0.digest)" }.joined(separator: ", "))
                }
            }
            return parts.joined(separator: " <- ")
        }
    }

    struct VersionCommand: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "version", abstract: "Create model versions.", subcommands: [CreateVersion.self])
    }

    struct CreateVersion: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "create",
            abstract: "Create a version of a model from a run and its artifacts.",
            usage: "mledger model version create digits --run 3f2a",
            discussion: "Without --artifact the version takes the run's artifact files. Its id is a hash and never changes.", )
        @Argument(help: "The model.") var model: String
        @Option(name: .customLong("run"), help: "The run the version comes from.") var runRef: String?
        @Option(name: .customLong("artifact"), help: "A file or folder to include (repeatable).") var artifacts: [String] = []
        @Option(help: "Notes on this version.") var description: String?

        func run() throws {
            let session = try Session.open()
            let modelID = try session.ledger.modelID(named: model)
            let runID = try runRef.map { try session.ledger.runID($0) }
            let files =
                artifacts.isEmpty
                ? try runID.map { try session.ledger.runFiles($0) } ?? []
                : try ArtifactFiles.store(artifacts, in: session.workspace.blobs)
            let number = UInt64(try session.ledger.versionCount(model: modelID) + 1)
            let event = try session.append(VersionCreate(model: modelID, run: runID, files: files, claimedNumber: number, description: description))
            print("Created \(model) v\(number) \(event.id.short) with \(files.count) files")
        }
    }

    struct Promote: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Point an alias (such as production) at a version, with a reason.",
            usage: "mledger model promote digits 3 --to production --reason 'beats v2 on holdout: acc 0.981'")
        @Argument(help: "The model.") var model: String
        @Argument(help: "The version.") var version: String
        @Option(help: "The alias or stage to set.") var to: String
        @Option(help: "Why (required; shown in the audit trail).") var reason: String
        @Option(help: "Supporting evidence, e.g. run:3f2a or acc=0.981 (repeatable).") var evidence: [String] = []

        func run() throws {
            let session = try Session.open()
            let modelID = try session.ledger.modelID(named: model)
            let versionID = try session.ledger.versionID(model: modelID, version)
            let (_, replaced) = try session.ledger.promote(
                model: modelID, version: versionID, alias: to, reason: reason, evidence: evidence, signer: try session.signer())
            print("\(model): \(to) -> \(version)\(replaced > 1 ? " (resolves a conflict of \(replaced) changes)" : "")")
        }
    }

    struct Demote: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Remove an alias from a model, with a reason.",
            usage: "mledger model demote digits --from production --reason 'regression on new data'")
        @Argument(help: "The model.") var model: String
        @Option(help: "The alias or stage to remove.") var from: String
        @Option(help: "Why (required; shown in the audit trail).") var reason: String

        func run() throws {
            let session = try Session.open()
            let modelID = try session.ledger.modelID(named: model)
            try session.ledger.demote(model: modelID, alias: from, reason: reason, signer: try session.signer())
            print("\(model): \(from) removed")
        }
    }

    struct Archive: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Archive a version, with a reason.")
        @Argument(help: "The model.") var model: String
        @Argument(help: "The version.") var version: String
        @Option(help: "Why.") var reason: String

        func run() throws {
            let session = try Session.open()
            let modelID = try session.ledger.modelID(named: model)
            let versionID = try session.ledger.versionID(model: modelID, version)
            try session.append(VersionArchive(model: modelID, version: versionID, reason: reason))
            print("\(model) \(version) archived")
        }
    }

    struct Pull: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write a version's files to a folder, checking every hash.",
            usage: "mledger model pull digits@production --out ./serving",
            discussion: "Files logged on another machine are fetched from the workspace's relay first.")
        @Argument(help: "MODEL@ALIAS or MODEL@VERSION.") var reference: String
        @Option(help: "The folder to write to.") var out: String

        func run() async throws {
            let session = try Session.open()
            let parts = reference.split(separator: "@", maxSplits: 1).map(String.init)
            guard parts.count == 2 else { throw ValidationError("give MODEL@ALIAS or MODEL@VERSION, e.g. digits@production") }
            let versionID = try Deployed.version(session.ledger, model: try session.ledger.modelID(named: parts[0]), parts[1])
            let files = try session.ledger.versionFiles(versionID)
            let missing = files.filter { !session.workspace.blobs.contains($0.sha256) }
            if !missing.isEmpty {
                let syncer = try Syncer(ledger: session.ledger, remote: try Sync.remote(session, nil), key: try session.signer(), blobs: nil)
                for f in missing { try await syncer.fetchBlob(f.sha256, into: session.workspace.blobs) }
            }
            let dir = URL(fileURLWithPath: out)
            for f in files {
                guard ArtifactFile.isSafePath(f.path) else { throw StoreError.blob("refusing unsafe path \(f.path)") }
                try session.workspace.blobs.copy(f.sha256, to: dir.appendingPathComponent(f.path))
            }
            print("Wrote \(files.count) files of \(parts[0]) \(versionID.short) to \(dir.path), all hashes verified")
        }
    }
}
