import Foundation
import LedgerProtocol

/// One page of a listing and the token of the next (nil on the last page).
public struct Page<Item: Sendable>: Sendable {
    public var items: [Item]
    public var next: String?
    public init(_ items: [Item], next: String?) {
        self.items = items
        self.next = next
    }
}

/// Where an import reads MLflow's history: a tracking server over REST, or a local store. Listings come
/// in pages and metric histories in pieces, so an import holds one run at a time however large the store.
public protocol MLflowSource: Sendable {
    /// The source as the provenance of every imported event names it (no credentials).
    var name: String { get }
    func experiments() async throws -> [MLExperiment]
    /// Runs of one experiment, deleted ones included, oldest first; only those started at or after `since`.
    func runs(experiment: String, since: Int64?, page: String?) async throws -> Page<MLRun>
    /// Every point of one metric of a run, a page at a time.
    func metricHistory(run: String, key: String, page: String?) async throws -> Page<MetricPoint>
    /// One folder of a run's artifacts ("" is the root); paths are relative to the run's artifact root.
    func artifacts(run: MLRun, folder: String) async throws -> [MLArtifact]
    /// Writes one artifact file of a run to `file`.
    func download(run: MLRun, path: String, to file: URL) async throws
    func registeredModels(page: String?) async throws -> Page<MLRegisteredModel>
    /// Every version of every registered model.
    func modelVersions(page: String?) async throws -> Page<MLModelVersion>
    /// MLflow 3 logged models of one experiment.
    func loggedModels(experiment: String, page: String?) async throws -> Page<MLLoggedModel>
    /// One folder of a logged model's artifacts.
    func loggedModelArtifacts(model: MLLoggedModel, folder: String) async throws -> [MLArtifact]
    func download(model: MLLoggedModel, path: String, to file: URL) async throws
}

/// Why an import stopped, in words that say what to do.
public enum ImportError: Error, CustomStringConvertible, Sendable {
    case unreachable(String, String)
    case http(status: Int, what: String, message: String)
    case badResponse(String, String)
    case unsupportedSource(String)
    case invalidOption(String)

    public var description: String {
        switch self {
        case .unreachable(let url, let why):
            "cannot reach the MLflow server at \(url) (\(why)): check the URI and that the server is running"
        case .http(let status, let what, let message):
            status == 401 || status == 403
                ? "the MLflow server refused \(what) (HTTP \(status)): set MLFLOW_TRACKING_TOKEN, or MLFLOW_TRACKING_USERNAME and MLFLOW_TRACKING_PASSWORD"
                : "the MLflow server answered \(what) with HTTP \(status): \(message)"
        case .badResponse(let what, let why): "the MLflow server's answer to \(what) is not what MLflow sends (\(why))"
        case .unsupportedSource(let uri):
            "'\(uri)' is not an MLflow tracking URI this can read: give http(s)://HOST:PORT, a local mlruns/ folder, or sqlite:///PATH"
        case .invalidOption(let why): why
        }
    }
}

extension Optional where Wrapped == String {
    /// MLflow writes "" for an absent text (a last page's token, no description, no user): nil then.
    var nonEmpty: String? { self.flatMap { $0.isEmpty ? nil : $0 } }
}
