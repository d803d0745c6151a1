import ArgumentParser
import Foundation
import LedgerModel
import LedgerProtocol
import LedgerStore

struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Start runs, log params, metrics, tags and artifacts, and review runs.",
        discussion: """
            RUN is a run id or a unique prefix of it (at least 4 hex digits), as printed by `run start`. \
            `mledger run --experiment NAME -- COMMAND...` runs a training command as a run (see `run exec --help`).
            """,
        subcommands: [
            Start.self, LogParam.self, LogMetric.self, LogBatch.self, Tag.self, Artifact.self, Finish.self,
            List.self, Show.self, Compare.self,
            Exec.self,
        ],
        defaultSubcommand: Exec.self
    )

    struct Start: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Start a run and print its id.",
            usage: "RUN=$(mledger run start --experiment mnist --name baseline)",
            discussion: """
                Records the git commit and whether the work tree is dirty, the host, and an environment \
                fingerprint. The experiment is created if it does not exist yet.
                """
        )
        @Option(help: "The experiment to log into.") var experiment: String
        @Option(help: "A name for the run.") var name: String = ""
        @Option(help: "The command line being run, if this run wraps one.") var command: String?
        @OptionGroup var output: OutputOptions

        func run() throws {
            let session = try Session.open()
            let runID = try RunStarter.start(session, signer: try session.signer(), experiment: experiment, name: name, command: command)
            let experimentID = EntityID.experiment(team: try session.team(), name: experiment)
            if output.json { return try Output.json(["run": runID.hex, "experiment": experimentID.hex]) }
            print(runID.hex)
        }
    }

    struct LogParam: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "log-param", abstract: "Log parameters of a run.", usage: "mledger run log-param RUN lr=0.01 epochs=10")
        @Argument(help: ArgumentHelp("The run.", valueName: "run")) var runRef: String
        @Argument(help: "KEY=VALUE pairs.") var params: [String]

        func run() throws {
            let session = try Session.open()
            let id = try session.ledger.runID(runRef)
            try session.append(RunParams(run: id, params: try KeyValue.parse(params)))
        }
    }

    struct Tag: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Set tags on a run.", usage: "mledger run tag RUN dataset=v2")
        @Argument(help: ArgumentHelp("The run.", valueName: "run")) var runRef: String
        @Argument(help: "KEY=VALUE pairs.") var tags: [String]

        func run() throws {
            let session = try Session.open()
            let id = try session.ledger.runID(runRef)
            try session.append(RunTags(run: id, tags: try KeyValue.parse(tags)))
        }
    }

    struct LogMetric: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "log-metric", abstract: "Log one metric value.",
            usage: "mledger run log-metric RUN loss 0.42 --step 3",
            discussion: "To log many points, stream them with `run log-batch`: one signed event per batch.", )
        @Argument(help: ArgumentHelp("The run.", valueName: "run")) var runRef: String
        @Argument(help: "The metric's name.") var key: String
        @Argument(help: "The value (a number; nan and inf are allowed).") var value: String
        @Option(help: "The training step.") var step: Int64 = 0
        @Option(help: "Unix time in milliseconds (default: now).") var timestamp: Int64?

        func run() throws {
            guard let number = Double(value) else {
                throw ValidationError("'\(value)' is not a number: give the metric value as a number such as 0.42")
            }
            let session = try Session.open()
            let id = try session.ledger.runID(runRef)
            let point = MetricPoint(step: step, timestamp: timestamp ?? Int64(wallClockMs()), value: number)
            try session.append(RunMetrics(run: id, series: [key: [point]]))
        }
    }

    struct Finish: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "End a run with its status.")
        @Argument(help: ArgumentHelp("The run.", valueName: "run")) var runRef: String
        @Option(help: "finished, failed or killed.") var status: String = "finished"
        @Option(help: "The exit code of the process that ran.") var exitCode: Int64?

        func run() throws {
            guard let s = RunStatus(rawValue: status), s != .running else {
                throw ValidationError("--status must be finished, failed or killed")
            }
            let session = try Session.open()
            let id = try session.ledger.runID(runRef)
            try session.append(RunFinish(run: id, status: s, endTime: Int64(wallClockMs()), exitCode: exitCode))
        }
    }

    struct Artifact: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Attach files (or folders) to a run.",
            usage: "mledger run artifact RUN model.pt metrics/",
            discussion: "Files are copied into the workspace's content-addressed blob store; the event records each path, SHA-256 and size.", )
        @Argument(help: ArgumentHelp("The run.", valueName: "run")) var runRef: String
        @Argument(help: "Files or folders.") var paths: [String]

        func run() throws {
            let session = try Session.open()
            let id = try session.ledger.runID(runRef)
            let files = try ArtifactFiles.store(paths, in: session.workspace.blobs)
            try session.append(RunArtifacts(run: id, files: files))
            for f in files { print("\(Hex.encode(f.sha256).prefix(12))  \(f.size)  \(f.path)") }
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List runs, newest first, a page at a time.",
            usage: "mledger run list --experiment mnist --filter 'metrics.acc > 0.9 and params.lr = 0.01' --sort metrics.loss:min --asc",
            discussion: """
                Filtering, sorting and paging happen in the database, so a page costs the same in an experiment of \
                100 runs or 100,000. The filter and sort read as in the dashboard's runs table: comparisons joined \
                by `and` over metrics.KEY (last value), params.KEY, tags.KEY, name, status, author, experiment, \
                host and git; a metric sorts by metrics.KEY, metrics.KEY:min or metrics.KEY:max.
                """)
        @Option(help: "Only runs of this experiment.") var experiment: String?
        @Option(help: "Only runs that pass this filter, e.g. 'metrics.acc > 0.9 and status = finished'.") var filter = ""
        @Option(help: "Sort by this column (runs lacking it go last), e.g. params.lr or metrics.loss:min.") var sort: String?
        @Flag(help: "Sort ascending (the default is descending).") var asc = false
        @Option(help: "Runs per page.") var limit = 100
        @Option(help: "Which page (1 is the first).") var page = 1
        @Flag(help: "Also list deleted runs (hidden by a signed tombstone).") var includeDeleted = false
        @OptionGroup var output: OutputOptions

        func validate() throws {
            guard limit >= 1 else { throw ValidationError("--limit must be at least 1") }
            guard page >= 1 else { throw ValidationError("--page must be at least 1") }
        }

        func run() throws {
            let ledger = try Session.open().ledger
            let query: RunTable.Query
            do {
                query = RunTable.Query(
                    filter: try RunFilter(parsing: filter), sort: try sort.map { try RunTable.Column(parsing: $0) }, descending: !asc,
                    page: page, pageSize: limit)
            } catch let problem as RunFilter.ParseError { throw ValidationError(problem.message) }
            let (result, total) = try ledger.runTable(
                experiment: try experiment.map { try ledger.experimentID(named: $0) }, query, includeDeleted: includeDeleted)
            // The page's runs whole (artifacts, datasets, outputs), as `run show` reads them.
            let runs = try result.rows.compactMap { LedgerID(hex: $0.id) }.map { try ledger.run($0) }
            if output.json { return try Output.json(runs) }
            if total == 0 { return print("No runs yet: start one with `mledger run start --experiment NAME`.") }
            Output.table(
                ["RUN", "EXPERIMENT", "NAME", "STATUS", "STARTED", "AUTHOR", "METRICS"],
                runs.map { r in
                    [
                        String(r.id.prefix(12)), r.experiment ?? "?", r.name, r.status.rawValue, Output.time(r.startTime), r.author.label,
                        r.metrics.keys.sorted().map { "\($0)=\(Output.number(r.metrics[$0]?.last?.value))" }.joined(separator: " "),
                    ]
                })
            if result.pageCount > 1 || result.matching < total {
                print("page \(result.page) of \(result.pageCount): \(result.matching) of \(total) runs match (--page, --limit)")
            }
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show everything about one run.")
        @Argument(help: ArgumentHelp("The run.", valueName: "run")) var runRef: String
        @Option(help: "Also print every point of this metric.") var history: String?
        @OptionGroup var output: OutputOptions

        struct Detail: Encodable {
            var run: RunView
            var history: [MetricPoint]?
        }

        func run() throws {
            let ledger = try Session.open().ledger
            let id = try ledger.runID(runRef)
            let view = try ledger.run(id)
            let points = try history.map { try ledger.metricHistory(run: id, key: $0) }
            if output.json { return try Output.json(Detail(run: view, history: points)) }
            print("run          \(view.id)")
            print("name         \(view.name)")
            print("experiment   \(view.experiment ?? view.experimentID)")
            print("author       \(view.author.label)")
            print("status       \(view.status.rawValue)\(view.exitCode.map { " (exit \($0))" } ?? "")")
            print("started      \(Output.time(view.startTime))\(view.endTime.map { ", ended \(Output.time($0))" } ?? "")")
            if let c = view.gitCommit { print("git          \(c)\(view.gitDirty == true ? " (dirty)" : "")") }
            if let h = view.host { print("host         \(h)") }
            if let e = view.environment { print("environment  \(e)") }
            if let c = view.command { print("command      \(c)") }
            if !view.params.isEmpty {
                print("\nPARAMS")
                Output.table(["KEY", "VALUE"], view.params.sorted { $0.key < $1.key }.map { [$0.key, $0.value] })
            }
            if !view.metrics.isEmpty {
                print("\nMETRICS")
                Output.table(
                    ["KEY", "LAST", "STEP", "MIN", "MAX", "POINTS"],
                    view.metrics.sorted { $0.key < $1.key }.map { k, m in
                        [
                            k, Output.number(m.last?.value), m.last.map { String($0.step) } ?? "-", Output.number(m.min), Output.number(m.max),
                            String(m.count),
                        ]
                    })
            }
            if !view.tags.isEmpty {
                print("\nTAGS")
                Output.table(["KEY", "VALUE"], view.tags.sorted { $0.key < $1.key }.map { [$0.key, $0.value] })
            }
            if !view.artifacts.isEmpty {
                print("\nARTIFACTS")
                Output.table(["PATH", "SIZE", "SHA-256"], view.artifacts.map { [$0.path, String($0.size), $0.sha256] })
            }
            if !view.datasets.isEmpty {
                print("\nDATASETS")
                Output.table(
                    ["NAME", "DIGEST", "CONTEXT", "SOURCE"],
                    view.datasets.map {
                        [$0.name, $0.digest, $0.tags["mlflow.data.context"] ?? "-", "\($0.sourceType) \($0.source)"]
                    })
            }
            if !view.outputs.isEmpty {
                print("\nLOGGED MODELS")
                for id in view.outputs { print("m-\(id.prefix(32))") }
            }
            if let points, let key = history {
                print("\nHISTORY \(key)")
                Output.table(["STEP", "TIME", "VALUE"], points.map { [String($0.step), Output.time($0.timestamp), Output.number($0.value)] })
            }
        }
    }

    struct Compare: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Compare runs side by side: params (differences marked *) and last metric values.",
            usage: "mledger run compare 3f2a 9c41")
        @Argument(help: "Two or more runs.") var runs: [String]
        @OptionGroup var output: OutputOptions

        struct Comparison: Encodable {
            var runs: [RunView]
            var differingParams: [String]
        }

        func validate() throws {
            guard runs.count >= 2 else { throw ValidationError("give at least two runs to compare") }
        }

        func run() throws {
            let ledger = try Session.open().ledger
            let views = try runs.map { try ledger.run(try ledger.runID($0)) }
            let paramKeys = Set(views.flatMap(\.params.keys)).sorted()
            let differing = paramKeys.filter { k in Set(views.map { $0.params[k] ?? "" }).count > 1 }
            if output.json { return try Output.json(Comparison(runs: views, differingParams: differing)) }
            let header = [""] + views.map { "\(String($0.id.prefix(8))) \($0.name)" }
            var rows = [["status"] + views.map(\.status.rawValue)]
            rows += paramKeys.map { k in [(differing.contains(k) ? "* " : "  ") + "params.\(k)"] + views.map { $0.params[k] ?? "-" } }
            let metricKeys = Set(views.flatMap(\.metrics.keys)).sorted()
            rows += metricKeys.map { k in ["  metrics.\(k)"] + views.map { Output.number($0.metrics[k]?.last?.value) } }
            Output.table(header, rows)
        }
    }
}

/// Parses KEY=VALUE arguments.
enum KeyValue {
    static func parse(_ pairs: [String]) throws -> [String: String] {
        guard !pairs.isEmpty else { throw ValidationError("give at least one KEY=VALUE") }
        var out = [String: String]()
        for pair in pairs {
            guard let eq = pair.firstIndex(of: "="), eq != pair.startIndex else {
                throw ValidationError("'\(pair)' is not KEY=VALUE")
            }
            out[String(pair[..<eq])] = String(pair[pair.index(after: eq)...])
        }
        return out
    }
}
