import Foundation
import LedgerProtocol

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// An MLflow tracking server over its REST API (`/api/2.0/mlflow/...`), with the client's usual
/// credentials: `MLFLOW_TRACKING_TOKEN` (bearer), else `MLFLOW_TRACKING_USERNAME` and `_PASSWORD` (basic).
public struct RESTSource: MLflowSource {
    let base: URL
    let authorization: String?
    let session: URLSession
    public let name: String
    /// For a local SQLite store: its histories, read from the file rather than over REST.
    let localHistory: SQLiteMetricHistory?

    /// - Parameter name: the source as provenance names it (default: the URL without credentials).
    public init(
        uri: String, name: String? = nil, localHistory: SQLiteMetricHistory? = nil,
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws(ImportError) {
        guard var parts = URLComponents(string: uri), let scheme = parts.scheme?.lowercased(), ["http", "https"].contains(scheme),
            parts.host?.isEmpty == false
        else { throw .unsupportedSource(uri) }
        // Credentials in the URI are used, never recorded.
        var authorization = environment["MLFLOW_TRACKING_TOKEN"].map { "Bearer \($0)" }
        let user = parts.user ?? environment["MLFLOW_TRACKING_USERNAME"]
        let password = parts.password ?? environment["MLFLOW_TRACKING_PASSWORD"]
        if authorization == nil, let user, let password {
            authorization = "Basic " + Data("\(user):\(password)".utf8).base64EncodedString()
        }
        parts.user = nil
        parts.password = nil
        parts.query = nil
        parts.fragment = nil
        while parts.path.hasSuffix("/") { parts.path.removeLast() }
        guard let base = parts.url else { throw .unsupportedSource(uri) }
        self.base = base
        self.name = name ?? base.absoluteString
        self.authorization = authorization
        self.localHistory = localHistory
        let config = URLSessionConfiguration.ephemeral
        config.timeoutIntervalForRequest = 300
        config.httpMaximumConnectionsPerHost = 8
        session = URLSession(configuration: config)
    }

    // MARK: - Requests

    func url(_ path: String, _ query: [(String, String?)]) -> URL? {
        guard var parts = URLComponents(url: base.appendingPathComponent(path), resolvingAgainstBaseURL: false) else { return nil }
        let items = query.compactMap { k, v in v.map { URLQueryItem(name: k, value: $0) } }
        if !items.isEmpty { parts.queryItems = items }
        // '+' in a query value is a space to the server's form decoding.
        parts.percentEncodedQuery = parts.percentEncodedQuery?.replacingOccurrences(of: "+", with: "%2B")
        return parts.url
    }

    func request(_ method: String, _ path: String, query: [(String, String?)] = [], json: [String: Any]? = nil) throws(ImportError) -> URLRequest {
        guard let url = url(path, query) else { throw .badResponse(path, "cannot form a URL") }
        var r = URLRequest(url: url)
        r.httpMethod = method
        if let authorization { r.setValue(authorization, forHTTPHeaderField: "Authorization") }
        if let json {
            r.httpBody = try? JSONSerialization.data(withJSONObject: json)
            r.setValue("application/json", forHTTPHeaderField: "Content-Type")
        }
        return r
    }

    /// Sends a request and decodes its JSON answer; connection failures and 5xx/429 answers are retried.
    func call<T: Decodable>(
        _ type: T.Type, _ method: String, _ path: String, query: [(String, String?)] = [], json: [String: Any]? = nil
    )
        async throws -> T
    {
        let r = try request(method, path, query: query, json: json)
        let data = try await fetch(r, what: "\(method) \(path)")
        do { return try JSONDecoder().decode(type, from: data) } catch {
            throw ImportError.badResponse("\(method) \(path)", "\(error)".prefix(300).description)
        }
    }

    func fetch(_ r: URLRequest, what: String) async throws -> Data {
        var attempt = 0
        while true {
            attempt += 1
            do {
                let (data, response) = try await session.data(for: r)
                let status = (response as? HTTPURLResponse)?.statusCode ?? 0
                if (200..<300).contains(status) { return data }
                let error = ImportError.http(status: status, what: what, message: Self.message(data))
                guard status == 429 || status >= 500, attempt < 4 else { throw error }
            } catch let error as ImportError {
                throw error
            } catch {
                guard attempt < 4 else { throw ImportError.unreachable(base.absoluteString, error.localizedDescription) }
            }
            try await Task.sleep(nanoseconds: UInt64(attempt) * 500_000_000)
        }
    }

    /// MLflow's error message from an error answer, or the start of the body.
    static func message(_ data: Data) -> String {
        struct Answer: Decodable { var message: String? }
        if let m = try? JSONDecoder().decode(Answer.self, from: data).message { return m }
        return String(decoding: data.prefix(300), as: UTF8.self)
    }

    /// Streams a file answer to `file` (through URLSession's download file, never whole in memory).
    func download(_ r: URLRequest, to file: URL, what: String) async throws {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, Error>) in
            session.downloadTask(with: r) { temp, response, error in
                continuation.resume(
                    with: Result {
                        if let error { throw ImportError.unreachable(base.absoluteString, error.localizedDescription) }
                        let status = (response as? HTTPURLResponse)?.statusCode ?? 0
                        guard let temp else { throw ImportError.badResponse(what, "no body") }
                        guard (200..<300).contains(status) else {
                            let head = (try? FileHandle(forReadingFrom: temp).read(upToCount: 4096)) ?? nil
                            throw ImportError.http(status: status, what: what, message: Self.message(head ?? Data()))
                        }
                        try? FileManager.default.removeItem(at: file)
                        try FileManager.default.moveItem(at: temp, to: file)
                    })
            }.resume()
        }
    }

    // MARK: - Tracking

    struct Experiments: Decodable {
        var experiments: [MLExperiment]?
        var nextPageToken: String?
        enum CodingKeys: String, CodingKey {
            case experiments
            case nextPageToken = "next_page_token"
        }
    }

    public func experiments() async throws -> [MLExperiment] {
        var all = [MLExperiment]()
        var token: String?
        repeat {
            var body: [String: Any] = ["max_results": 1000, "view_type": "ALL"]
            body["page_token"] = token
            let page = try await call(Experiments.self, "POST", "api/2.0/mlflow/experiments/search", json: body)
            all += page.experiments ?? []
            token = page.nextPageToken.nonEmpty
        } while token != nil
        return all
    }

    struct Runs: Decodable {
        var runs: [MLRun]?
        var nextPageToken: String?
        enum CodingKeys: String, CodingKey {
            case runs
            case nextPageToken = "next_page_token"
        }
    }

    public func runs(experiment: String, since: Int64?, page: String?) async throws -> Page<MLRun> {
        var body: [String: Any] = [
            "experiment_ids": [experiment], "run_view_type": "ALL", "max_results": 1000, "order_by": ["attributes.start_time ASC"],
        ]
        body["page_token"] = page
        if let since { body["filter"] = "attributes.start_time >= \(since)" }
        let r = try await call(Runs.self, "POST", "api/2.0/mlflow/runs/search", json: body)
        return Page(r.runs ?? [], next: r.nextPageToken.nonEmpty)
    }

    struct History: Decodable {
        var metrics: [MLMetric]?
        var nextPageToken: String?
        enum CodingKeys: String, CodingKey {
            case metrics
            case nextPageToken = "next_page_token"
        }
    }

    /// Pages of 100,000 points: a long series never sits whole in memory.
    static let historyPage = 100_000

    public func metricHistory(run: String, key: String, page: String?) async throws -> Page<MetricPoint> {
        if let localHistory { return try localHistory.history(run: run, key: key, page: page) }
        let h = try await call(
            History.self, "GET", "api/2.0/mlflow/metrics/get-history",
            query: [("run_id", run), ("metric_key", key), ("max_results", String(Self.historyPage)), ("page_token", page)])
        return Page((h.metrics ?? []).map(\.point), next: h.nextPageToken.nonEmpty)
    }

    struct Listing: Decodable {
        var files: [MLArtifact]?
    }

    public func artifacts(run: MLRun, folder: String) async throws -> [MLArtifact] {
        let l = try await call(
            Listing.self, "GET", "api/2.0/mlflow/artifacts/list", query: [("run_id", run.id), ("path", folder.isEmpty ? nil : folder)])
        return l.files ?? []
    }

    public func download(run: MLRun, path: String, to file: URL) async throws {
        try await download(request("GET", "get-artifact", query: [("run_id", run.id), ("path", path)]), to: file, what: "artifact \(path)")
    }

    // MARK: - Registry

    struct Models: Decodable {
        var registeredModels: [MLRegisteredModel]?
        var nextPageToken: String?
        enum CodingKeys: String, CodingKey {
            case registeredModels = "registered_models"
            case nextPageToken = "next_page_token"
        }
    }

    public func registeredModels(page: String?) async throws -> Page<MLRegisteredModel> {
        let m = try await call(
            Models.self, "GET", "api/2.0/mlflow/registered-models/search", query: [("max_results", "1000"), ("page_token", page)])
        return Page(m.registeredModels ?? [], next: m.nextPageToken.nonEmpty)
    }

    struct Versions: Decodable {
        var modelVersions: [MLModelVersion]?
        var nextPageToken: String?
        enum CodingKeys: String, CodingKey {
            case modelVersions = "model_versions"
            case nextPageToken = "next_page_token"
        }
    }

    public func modelVersions(page: String?) async throws -> Page<MLModelVersion> {
        let v = try await call(
            Versions.self, "GET", "api/2.0/mlflow/model-versions/search", query: [("max_results", "10000"), ("page_token", page)])
        return Page(v.modelVersions ?? [], next: v.nextPageToken.nonEmpty)
    }

    // MARK: - Logged models

    struct LoggedModels: Decodable {
        var models: [MLLoggedModel]?
        var nextPageToken: String?
        enum CodingKeys: String, CodingKey {
            case models
            case nextPageToken = "next_page_token"
        }
    }

    public func loggedModels(experiment: String, page: String?) async throws -> Page<MLLoggedModel> {
        var body: [String: Any] = ["experiment_ids": [experiment], "max_results": 100]
        body["page_token"] = page
        let m = try await call(LoggedModels.self, "POST", "api/2.0/mlflow/logged-models/search", json: body)
        return Page(m.models ?? [], next: m.nextPageToken.nonEmpty)
    }

    public func loggedModelArtifacts(model: MLLoggedModel, folder: String) async throws -> [MLArtifact] {
        let l = try await call(
            Listing.self, "GET", "api/2.0/mlflow/logged-models/\(model.id)/artifacts/directories",
            query: [("artifact_directory_path", folder.isEmpty ? nil : folder)])
        return l.files ?? []
    }

    public func download(model: MLLoggedModel, path: String, to file: URL) async throws {
        try await download(
            request("GET", "ajax-api/2.0/mlflow/logged-models/\(model.id)/artifacts/files", query: [("artifact_file_path", path)]),
            to: file, what: "artifact \(path) of \(model.id)")
    }
}
