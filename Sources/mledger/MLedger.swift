import ArgumentParser

@main
struct MLedger: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mledger",
        abstract: "A signed, append-only, offline-first ledger of ML experiments, runs and models.",
        discussion: """
            Every fact is an event signed by this device's key and appended to the workspace's ledger \
            (.mledger/ in this folder or a parent). Nothing needs the network; nothing is ever updated in \
            place: a correction is a new event.

            Start with `mledger init`, then log runs with `mledger run ...` and manage models with \
            `mledger model ...`. `mledger audit` shows who promoted what, when and why, and \
            `mledger verify` proves the history was not altered.
            """,
        version: "0.1.0",
        subcommands: [
            Init.self, IdentityCommand.self, ExperimentCommand.self, RunCommand.self, ModelCommand.self,
            CommentCommand.self, Audit.self, Verify.self, Rebuild.self, TeamCommand.self, RemoteCommand.self, Sync.self,
            UI.self, Open.self, ServeCommand.self, ImportCommand.self, WebhookCommand.self, DeployCommand.self, MonitorCommand.self,
        ]
    )
}
