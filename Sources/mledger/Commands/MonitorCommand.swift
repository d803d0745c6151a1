import ArgumentParser
import Foundation
import LedgerModel
import LedgerProtocol
import LedgerStore

struct MonitorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "monitor",
        abstract: "Production metrics of deployed versions, rules over them, alerts and retraining.",
        discussion: """
            Production points are signed events of the version serving in an environment (see `mledger deploy`):
            scraped from the serving app's Prometheus endpoint (`scrape`) or pushed (`log`). Rules (`rule add`) \
            say when a version degrades; `watch` evaluates them, writes a signed alert with the evidence, and \
            can start a retraining command whose run links back to the alert.
            """,
        subcommands: [Log.self, Scrape.self, RuleCommand.self, Watch.self, Alerts.self, Show.self]
    )

    /// Which model and environment a monitoring command is about.
    struct Target: ParsableArguments {
        @Option(help: "The environment (production, staging, ...).") var env: String
        @Option(help: "The model (optional when only one is deployed in the environment).") var model: String?

        func resolve(_ ledger: Ledger) throws -> (id: LedgerID, name: String) {
            try Deployed.model(ledger, named: model, environment: env)
        }
    }

    struct Log: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Push production values of the version serving in an environment (batch jobs, fresh labels).",
            usage: "mledger monitor log --env production accuracy=0.91 latency_p99=0.120")
        @OptionGroup var target: Target
        @Option(help: "The version the values belong to (default: the one serving now).") var version: String?
        @Option(help: "Unix time in milliseconds of the values (default: now).") var timestamp: Int64?
        @Option(help: "Where the values come from, e.g. a job's name.") var source: String?
        @Argument(help: "KEY=VALUE pairs; values are numbers (nan and inf are allowed).") var values: [String]

        func run() throws {
            let session = try Session.open()
            let model = try target.resolve(session.ledger)
            let versionID = try version.map { try Deployed.version(session.ledger, model: model.id, $0) }
            let serving = try versionID ?? Deployed.serving(session.ledger, model: model, environment: target.env).entry.version
            let time = timestamp ?? Int64(wallClockMs())
            var series = [String: [MetricPoint]]()
            for (key, text) in try KeyValue.parse(values) {
                guard let value = Double(text) else { throw ValidationError("'\(text)' (\(key)) is not a number: give values such as accuracy=0.91") }
                series[key] = [MetricPoint(step: time, timestamp: time, value: value)]
            }
            try session.append(MonitorPoints(model: model.id, environment: target.env, version: serving, series: series, source: source))
            print("Logged \(series.count) production values of \(model.name) \(serving.short) in \(target.env)")
        }
    }

    struct Alerts: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Alerts the rules fired, with their evidence and the runs they started.")
        @Argument(help: "Only this model.") var model: String?
        @OptionGroup var output: OutputOptions

        func run() throws {
            let ledger = try Session.open().ledger
            let alerts = try ledger.alerts(model: try model.map { try ledger.modelID(named: $0) })
            if output.json { return try Output.json(alerts) }
            if alerts.isEmpty { return print("No alerts.") }
            Output.table(
                ["ALERT", "AT", "ENV", "VERSION", "BY", "SUMMARY", "RUNS"],
                alerts.map { a in
                    [
                        String(a.id.prefix(12)), Output.time(a.at), a.environment, a.versionNumber.map { "v\($0)" } ?? String(a.version.prefix(12)),
                        a.author.label, a.summary, a.runs.map { String($0.prefix(12)) }.joined(separator: ","),
                    ]
                })
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "A model's production metrics per environment and version, beside training values.")
        @Argument(help: "The model.") var model: String
        @OptionGroup var output: OutputOptions

        func run() throws {
            let ledger = try Session.open().ledger
            let series = try ledger.productionSeries(model: try ledger.modelID(named: model))
            if output.json { return try Output.json(series) }
            if series.isEmpty { return print("No production metrics of \(model) yet: see `mledger monitor scrape --help`.") }
            Output.table(
                ["ENV", "VERSION", "METRIC", "POINTS", "LAST", "MEAN", "MIN", "MAX", "TRAINING"],
                series.map { s in
                    [
                        s.environment, s.versionNumber.map { "v\($0)" } ?? String(s.version.prefix(12)), s.key, String(s.count),
                        Output.number(s.last),
                        Output.number(s.mean), Output.number(s.min), Output.number(s.max), Output.number(s.training),
                    ]
                })
        }
    }
}
