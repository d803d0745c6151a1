import ArgumentParser
import Foundation
import LedgerModel
import LedgerProtocol
import LedgerStore

extension MonitorCommand {
    struct RuleCommand: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "rule", abstract: "Rules over production metrics: add, list, remove.", subcommands: [Add.self, List.self, Remove.self])
    }

    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Add a rule: when a production metric breaks it for a duration, alert (and start a command).",
            usage: "mledger monitor rule add digits --env production --metric accuracy --below 0.8 --for 5m --then run 'make retrain'",
            discussion: """
                --drift-from-training PCT fires when the value is more than PCT percent from the last value of the
                same metric (or --baseline KEY) in the run that produced the serving version. A rule that runs a \
                command needs a maintainer: `mledger monitor watch` runs it on the watcher's machine.
                """)
        @Argument(help: "The model.") var model: String
        @Option(help: "The environment watched.") var env: String
        @Option(help: "The production metric key.") var metric: String
        @Option(help: "Fire when every value is below this.") var below: Double?
        @Option(help: "Fire when every value is above this.") var above: Double?
        @Option(name: .customLong("drift-from-training"), help: "Fire when every value is more than this percent from training.")
        var drift: Double?
        @Option(help: "The training metric a drift is measured from (default: --metric).") var baseline: String?
        @Option(name: .customLong("for"), help: "How long every value must break it: 30s, 5m, 1h (default 0s: one value).") var duration = "0s"
        @Option(parsing: .upToNextOption, help: "alert, or run COMMAND.") var then: [String] = ["alert"]

        func definition() throws -> MonitorRule.Definition {
            let given = [below.map { (RuleCondition.below, $0) }, above.map { (.above, $0) }, drift.map { (.drift, $0) }].compactMap { $0 }
            guard given.count == 1, let (condition, threshold) = given.first else {
                throw ValidationError("give exactly one of --below X, --above X, --drift-from-training PCT")
            }
            guard let forMs = DurationText.parse(duration) else {
                throw ValidationError("--for '\(duration)' is not a duration such as 30s, 5m or 1h")
            }
            let command: String?
            switch (then.first, then.count) {
            case ("alert", 1): command = nil
            case ("run", 2): command = then[1]
            default: throw ValidationError("--then takes `alert` or `run \"COMMAND\"`")
            }
            return MonitorRule.Definition(
                metric: metric, condition: condition, threshold: threshold, forMs: forMs, command: command, baseline: baseline)
        }

        func run() throws {
            let definition = try definition()
            let session = try Session.open()
            let event = try session.append(
                MonitorRule(model: try session.ledger.modelID(named: model), environment: env, definition: definition))
            print("Rule \(event.id.short) on \(model) in \(env): \(definition.text) -> \(definition.command.map { "run \($0)" } ?? "alert")")
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Rules in effect.")
        @Argument(help: "Only this model.") var model: String?
        @OptionGroup var output: OutputOptions

        func run() throws {
            let ledger = try Session.open().ledger
            let rules = try ledger.rules(model: try model.map { try ledger.modelID(named: $0) }).map(\.view)
            if output.json { return try Output.json(rules) }
            if rules.isEmpty { return print("No rules: add one with `mledger monitor rule add`.") }
            Output.table(
                ["RULE", "MODEL", "ENV", "WHEN", "THEN", "BY"],
                rules.map {
                    [String($0.id.prefix(12)), $0.modelName, $0.environment, $0.text, $0.command.map { "run \($0)" } ?? "alert", $0.author.label]
                })
        }
    }

    struct Remove: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Remove a rule (by a prefix of its id).")
        @Argument(help: "The rule id or a prefix of it.") var rule: String

        func run() throws {
            let session = try Session.open()
            let matches = try session.ledger.rules().filter { $0.view.id.hasPrefix(rule.lowercased()) }
            guard matches.count == 1, let match = matches.first, let id = LedgerID(hex: match.view.id), let model = LedgerID(hex: match.view.model)
            else {
                throw ValidationError(
                    matches.isEmpty
                        ? "no rule in effect starts with '\(rule)': see `mledger monitor rule list`"
                        : "'\(rule)' names several rules: give more of the id")
            }
            try session.append(MonitorRule(model: model, environment: match.view.environment, remove: id))
            print("Removed rule \(id.short) (\(match.view.text))")
        }
    }
}
