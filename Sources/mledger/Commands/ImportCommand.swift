import ArgumentParser
import Foundation
import LedgerImport
import LedgerStore

struct ImportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Bring another system's history into the ledger, with its provenance.",
        subcommands: [MLflowImport.self]
    )
}

struct MLflowImport: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mlflow",
        abstract: "Import an MLflow tracking server's (or store's) experiments, runs and model registry.",
        usage: """
            mledger import mlflow http://mlflow.example.org:5000
            mledger import mlflow http://127.0.0.1:5000 --experiment mnist --models digits --since 2025-01-01 --dry-run
            """,
        discussion: """
            Reads experiments (with tags), runs (name, status, start and end, params, tags, every point of \
            every metric's history, datasets, logged models), artifacts (copied into the blob store by hash), \
            registered models, versions (source, run, description, tags), aliases and stages, and signs \
            what the ledger lacks with your key. Every imported event says it was imported, from which \
            server and which MLflow ids, and keeps the original author (mlflow.user) and times as data: \
            `mledger audit` and the dashboard show "imported from ..., originally by ... at ...". MLflow keeps \
            no history of stage and alias moves, so those are recorded as the state at import.

            Running it again imports only what is new or changed; an import interrupted at any point \
            (even kill -9) resumes without duplicates. What an earlier import made of each MLflow object is \
            read from the signed events themselves. Credentials come from MLFLOW_TRACKING_TOKEN, or \
            MLFLOW_TRACKING_USERNAME and MLFLOW_TRACKING_PASSWORD. Values the ledger cannot hold (a key over \
            250 bytes, a param over 6,000 bytes) are left out and listed at the end.

            A local store (an mlruns/ folder or sqlite:///PATH) is read through a private `mlflow server` \
            on 127.0.0.1 that MLflow itself runs on it (the `mlflow` command on PATH, or MLEDGER_MLFLOW); \
            the provenance names the store's absolute URI.
            """
    )

    @Argument(help: "The tracking server (http://HOST:PORT), a local mlruns/ folder, or sqlite:///PATH.") var uri: String
    @Option(name: .customLong("experiment"), help: "Only this experiment (repeat for several).") var experiments: [String] = []
    @Option(name: .customLong("models"), parsing: .upToNextOption, help: "Only these registered models.") var models: [String] = []
    @Option(help: "Only runs started on or after this date (YYYY-MM-DD, an ISO 8601 time, or Unix ms).") var since: String?
    @Flag(help: "Read and count everything, write nothing.") var dryRun = false
    @Option(help: "For a local store: where its mlflow-artifacts:/ files are (the server's --artifacts-destination).")
    var artifactsDestination: String?
    @OptionGroup var output: OutputOptions

    func run() async throws {
        var options = ImportOptions()
        options.experiments = experiments
        options.models = models
        options.since = try since.map(Self.time)
        options.dryRun = dryRun
        let session = try Session.open()
        let local =
            LocalMLflowServer.isLocal(uri)
            ? try await LocalMLflowServer(store: uri, artifacts: artifactsDestination, mlflow: ProcessInfo.processInfo.environment["MLEDGER_MLFLOW"])
            : nil
        defer { local?.stop() }
        let source = try local?.source() ?? RESTSource(uri: uri)
        let line = ImportProgressLine()
        let importer = try Importer(
            ledger: session.ledger, signer: try session.signer(), blobs: session.workspace.blobs, source: source, options: options,
            progress: { line.show($0) })
        let summary = try await importer.run()
        line.clear()
        if output.json { return try Output.json(summary) }
        print(Self.describe(summary))
    }

    /// A date (UTC midnight), an ISO 8601 time, or Unix milliseconds.
    static func time(_ text: String) throws -> Int64 {
        if let ms = Int64(text) { return ms }
        let iso = ISO8601DateFormatter()
        if let d = iso.date(from: text) { return Int64(d.timeIntervalSince1970 * 1000) }
        iso.formatOptions = [.withFullDate]
        if let d = iso.date(from: text) { return Int64(d.timeIntervalSince1970 * 1000) }
        throw ValidationError("--since '\(text)' is not a date: give YYYY-MM-DD, an ISO 8601 time such as 2025-01-31T12:00:00Z, or Unix ms")
    }

    static func describe(_ s: ImportSummary) -> String {
        var lines = [
            "\(s.dryRun ? "Would import" : "Imported") from \(s.source) in \(String(format: "%.1f", s.seconds)) s:",
            "  \(s.experiments) experiments, \(s.runs) runs (\(s.runsUpdated) updated, \(s.runsUnchanged) unchanged)",
            "  \(s.params) params, \(s.tags) tags, \(s.metricPoints) metric points, \(s.datasets) datasets",
            "  \(s.artifacts) artifact files (\(s.artifactBytes) bytes), \(s.loggedModels) logged models",
            "  \(s.registeredModels) registered models, \(s.versions) versions, \(s.aliases) aliases and stages (state at import), \(s.archived) archived",
            "  \(s.deleted) deleted, \(s.events) events; \(Int(s.runsPerSecond)) runs/s, \(Int(s.pointsPerSecond)) points/s",
        ]
        if !s.skipped.isEmpty {
            lines.append("Left out (the ledger cannot hold them as they are):")
            lines += s.skipped.map { "  \($0)" }
        }
        return lines.joined(separator: "\n")
    }
}

/// Progress of an import on standard error: a line redrawn in place on a terminal, plain lines (at most
/// one every two seconds, and at each new phase) otherwise.
final class ImportProgressLine: @unchecked Sendable {
    private let lock = NSLock()
    private let terminal = isatty(STDERR_FILENO) != 0
    private let started = Date()
    private var lastPhase = ""
    private var lastLine = Date.distantPast

    func show(_ p: ImportProgress) {
        lock.withLock {
            let s = p.summary
            let elapsed = max(0.001, Date().timeIntervalSince(started))
            let runs = s.runs + s.runsUpdated + s.runsUnchanged
            let text =
                "import: \(p.phase): \(runs) runs (\(Int(Double(runs) / elapsed))/s), \(s.metricPoints) points (\(Int(Double(s.metricPoints) / elapsed))/s), \(s.artifacts) files, \(s.versions) versions"
            if terminal {
                FileHandle.standardError.write(Data("\r\(text)\u{1b}[K".utf8))
            } else if p.phase != lastPhase || Date().timeIntervalSince(lastLine) >= 2 {
                FileHandle.standardError.write(Data("\(text)\n".utf8))
                lastLine = Date()
            }
            lastPhase = p.phase
        }
    }

    func clear() {
        guard terminal else { return }
        FileHandle.standardError.write(Data("\r\u{1b}[K".utf8))
    }
}
