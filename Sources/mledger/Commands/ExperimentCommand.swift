import ArgumentParser
import LedgerModel
import LedgerProtocol
import LedgerStore

struct ExperimentCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "experiment",
        abstract: "Create and list experiments.",
        subcommands: [Create.self, List.self]
    )

    struct Create: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create an experiment.",
            usage: "mledger experiment create mnist --description 'Digit classifier baselines'",
            discussion: "An experiment's id comes from its name, so the same name created on two laptops is one experiment."
        )
        @Argument(help: "The experiment's name.") var name: String
        @Option(help: "What the experiment is about.") var description: String?

        func run() throws {
            let session = try Session.open()
            let event = try session.append(ExperimentCreate(name: name, description: description))
            print("Created experiment '\(name)' \(EntityID.experiment(team: try session.team(), name: name).short) (event \(event.id.short))")
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List experiments with their run counts and last activity.")
        @OptionGroup var output: OutputOptions

        func run() throws {
            let ledger = try Session.open().ledger
            let experiments = try ledger.withoutDeleted(ledger.experiments()) { $0.id }
            if output.json { return try Output.json(experiments) }
            if experiments.isEmpty { return print("No experiments yet: create one with `mledger experiment create NAME`.") }
            Output.table(
                ["NAME", "ID", "RUNS", "LAST ACTIVITY", "CREATED BY"],
                experiments.map {
                    [$0.name, String($0.id.prefix(12)), String($0.runCount), Output.time($0.lastActivity), $0.createdBy.label]
                })
        }
    }
}
