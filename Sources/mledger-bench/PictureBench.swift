import Foundation
import LedgerDashboard
import LedgerModel
import LedgerProtocol
import LedgerStore
import LedgerWeb

/// Server-side render times of the pictures for choosing a model: an experiment's plots page (parallel
/// coordinates and scatter) over 1,000 runs, and a run page with a confusion matrix of 100 classes read
/// from the blob store. Each figure is the median of several renders.
func runPictureBench(in temp: URL) async throws {
    let key = SigningKey(seed: [UInt8](repeating: 0x45, count: 32))!
    let ledger = try Ledger(path: temp.appendingPathComponent("pictures.sqlite").path)
    try ledger.append(try .init(TeamGenesis(name: "bench")), signer: key)
    let team = try ledger.team()!
    let experiment = EntityID.experiment(team: team, name: "sweep")
    try ledger.append(try .init(ExperimentCreate(name: "sweep")), signer: key)
    let runCount = scaled(1_000)
    let runIDs = try appendSweep(ledger, experiment: experiment, runs: runCount, key: key)

    // A confusion matrix of 100 classes, as `mlflow.log_dict({"labels": ..., "matrix": ...})` writes it.
    let classes = 100
    let labels = (0..<classes).map { "class \($0)" }
    let matrix = (0..<classes).map { i in (0..<classes).map { j in i == j ? 900 + i : (i * 31 + j * 17) % 23 } }
    let json = try JSONSerialization.data(withJSONObject: ["labels": labels, "matrix": matrix], options: [.prettyPrinted])
    let blobs = BlobStore(directory: temp.appendingPathComponent("pictures-blobs"))
    let (hash, size) = try blobs.put(bytes: [UInt8](json))
    try ledger.append(
        try .init(RunArtifacts(run: runIDs[0], files: [ArtifactFile(path: "eval/confusion_matrix.json", sha256: hash, size: size)])), signer: key)

    let context = PageContext(viewer: "bench")
    let pages = DashboardPages(ledger: ledger, blobs: blobs)
    let plots = FormData(parsing: "axes=params.lr,params.batch,params.layers,params.optimizer&color=metrics.acc&x=params.lr&y=metrics.acc")
    print(
        "Dashboard pictures, server-side render (median of 5; \(runCount) runs with 5 params and 2 metrics each; a \(classes)-class confusion matrix of \(json.count / 1024) KiB JSON):"
    )
    var html = HTML.empty
    let cold = try await median(5) {
        html = try await DashboardPages(ledger: ledger, blobs: blobs).plots(experiment: experiment.hex, plots, context)
    }
    show("plots page, first view (read \(runCount) runs, both plots)", cold, bytes: html.markup.utf8.count)
    _ = try await pages.plots(experiment: experiment.hex, plots, context)
    let refiltered = FormData(
        parsing: "filter=params.optimizer+%3D+adam&axes=params.lr,params.layers,metrics.loss&color=metrics.loss:min&x=params.batch&y=metrics.loss")
    let warm = try await median(5) { html = try await pages.plots(experiment: experiment.hex, refiltered, context) }
    show("plots page, filtered and re-chosen (runs cached)", warm, bytes: html.markup.utf8.count)
    let runs = try ledger.runSummaries(experiment: experiment)
    func column(_ spec: String) throws -> RunTable.Column { try RunTable.Column(parsing: spec) }
    let axes = try ["params.lr", "params.batch", "params.layers", "params.optimizer", "metrics.acc"].map(column)
    let parallel = try await median(5) { html = ParallelCoordinates().render(runs, axes: axes, color: try column("metrics.acc")) }
    show("  of which parallel coordinates of \(min(runCount, ParallelCoordinates.maxRuns)) runs, 5 axes", parallel, bytes: html.markup.utf8.count)
    let scatter = try await median(5) {
        html = ScatterPlot().render(runs, x: try column("params.lr"), y: try column("metrics.acc"), color: try column("metrics.loss"))
    }
    show("  of which the scatter of \(min(runCount, ParallelCoordinates.maxRuns)) runs", scatter, bytes: html.markup.utf8.count)

    let runPage = try await median(5) { html = try pages.run(runIDs[0].hex, FormData(parsing: ""), context) }
    show("run page with the \(classes)-class confusion matrix", runPage, bytes: html.markup.utf8.count)
    var parsed: ConfusionMatrix?
    let parse = try await median(5) { parsed = try ConfusionMatrix(json: [UInt8](json)) }
    show("  of which reading the matrix's JSON", parse, bytes: 0)
    guard let parsed else { return }
    let heatMap = await median(5) { html = HeatMap().render(parsed, title: "confusion matrix") }
    show("  of which the heat map (\(classes * classes) cells)", heatMap, bytes: html.markup.utf8.count)
}
