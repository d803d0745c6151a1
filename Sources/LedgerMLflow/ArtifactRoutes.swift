import Foundation
import Hummingbird
import LedgerProtocol
import LedgerStore

/// The proxied artifact routes the client uses for `mlflow-artifacts:/EXP/RUN/artifacts/...` URIs.
/// Uploads go to the workspace's content-addressed blob store and are recorded as run artifact events;
/// downloads and listings read the run's recorded files back.
struct ArtifactRoutes {
    let service: MLflowService
    static let prefix = "/api/2.0/mlflow-artifacts/artifacts"

    func register(on router: Router<BasicRequestContext>) {
        let s = service
        router.put("\(Self.prefix)/**") { request, context -> Response in
            let location = try ArtifactLocation(segments: context.parameters.getCatchAll())
            guard let path = location.path else { throw MLflowError.invalid("give a file path after \(location.root)") }
            let owner = try await offload { try s.artifactOwner(location) }
            let file = try await s.receive(request.body, path: path)
            try await offload { try s.record(file, for: owner) }
            return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: "{}")))
        }
        let files = FileIO()
        router.get("\(Self.prefix)/**") { _, context -> Response in
            let location = try ArtifactLocation(segments: context.parameters.getCatchAll())
            let file = try await offload { () throws -> ArtifactFile in
                guard let path = location.path, let file = try s.files(of: s.artifactOwner(location)).first(where: { $0.path == path }) else {
                    throw MLflowError.notFound("No artifact \(location.path ?? "") in \(location.root)")
                }
                guard s.blobs.isIntact(file.sha256) else {
                    throw MLflowError(
                        .internalError, "artifact \(path) is missing or corrupt in the blob store: its bytes no longer match their hash")
                }
                return file
            }
            // Checked whole above, then sent a piece at a time: a file of any size costs one piece of memory.
            let body =
                file.size == 0
                ? ResponseBody()
                : try await files.loadFile(path: s.blobs.url(for: file.sha256).path, context: context, chunkLength: 256 << 10)
            return Response(status: .ok, headers: [.contentType: "application/octet-stream", .contentLength: String(file.size)], body: body)
        }
        // A file, or every file under a folder, leaves the listing; the blobs and the events that named them stay.
        router.mlflowRoute(.delete, "\(Self.prefix)/**") { _, _, target in
            let location = try ArtifactLocation(segments: target.catchAll)
            let owner = try s.artifactOwner(location)
            let gone = try s.files(of: owner).map(\.path).filter { p in location.path.map { p == $0 || p.hasPrefix($0 + "/") } ?? true }
            guard !gone.isEmpty else { throw MLflowError.notFound("No artifact \(location.path ?? "") in \(location.root)") }
            switch owner {
            case .run(let run): try s.append(RunArtifacts(run: run, files: [], removed: gone))
            case .loggedModel(let model): try s.append(LoggedModelUpdate(model: model, removedFiles: gone))
            }
            return [:]
        }
        // Presigned URLs belong to cloud stores; MLflow answers these for a local store just so, and its
        // client then sends the bytes through the routes above.
        for (method, path, what) in [
            (HTTPRequest.Method.get, "/api/2.0/mlflow-artifacts/presigned/**", "download"),
            (.post, "/api/2.0/mlflow/artifacts/presigned-download-url", "download"),
            (.post, "/api/2.0/mlflow/artifacts/presigned-upload-url", "upload"),
        ] {
            router.mlflow(method, path) { _ in
                throw MLflowError(.notImplemented, "Presigned \(what) is not supported for the current artifact repository")
            }
        }
        router.mlflow(.get, Self.prefix) { r in
            let location = try ArtifactLocation(segments: (r.string("path") ?? "").split(separator: "/").map { $0 })
            return ["files": ArtifactLocation.listing(try s.files(of: s.artifactOwner(location)), under: location.path)]
        }
    }
}

extension MLflowService {
    /// Streams an upload into the blob store, a piece at a time: an artifact of any size costs the
    /// server one piece of memory.
    func receive(_ body: RequestBody, path: String) async throws -> ArtifactFile {
        let intake = try BlobIntake(into: blobs, limit: MLflowServer.maxArtifactBytes)
        do {
            for try await piece in body { try piece.withUnsafeReadableBytes { try intake.write($0) } }
        } catch StoreError.blobTooLarge(let limit) {
            throw MLflowError.invalid("artifact \(path) is larger than the \(limit) bytes mledger serve accepts for one file")
        }
        let (hash, size) = try intake.finish()
        return ArtifactFile(path: path, sha256: hash, size: size)
    }

    enum ArtifactOwner {
        case run(LedgerID)
        case loggedModel(LedgerID)
    }

    /// The run or logged model an artifact location names (which must exist).
    func artifactOwner(_ location: ArtifactLocation) throws -> ArtifactOwner {
        switch location.owner {
        case .run(let text): .run(try existingRun(text))
        case .loggedModel(let text): .loggedModel(try ledgerID(try loggedModel(text)))
        }
    }

    func files(of owner: ArtifactOwner) throws -> [ArtifactFile] {
        switch owner {
        case .run(let id): try ledger.runFiles(id)
        case .loggedModel(let id): try ledger.loggedModelFiles(id)
        }
    }
}

/// `EXP/RUN/artifacts[/PATH]` or `EXP/models/MODEL_ID/artifacts[/PATH]` (a logged model), the tail of
/// an `mlflow-artifacts:` URI.
struct ArtifactLocation {
    enum Owner {
        case run(String)
        case loggedModel(String)
    }
    var owner: Owner
    var path: String?
    var root: String
    /// The whole location, `ROOT[/PATH]`.
    var text: String { path.map { "\(root)/\($0)" } ?? root }

    init(segments: [Substring]) throws(MLflowError) {
        let parts = segments.map { $0.removingPercentEncoding ?? String($0) }
        let rootCount: Int
        if parts.count >= 4, parts[1] == "models", parts[3] == "artifacts" {
            owner = .loggedModel(parts[2])
            rootCount = 4
        } else if parts.count >= 3, parts[2] == "artifacts" {
            owner = .run(parts[1])
            rootCount = 3
        } else {
            throw .invalid(
                "artifact paths look like EXPERIMENT/RUN/artifacts/PATH or EXPERIMENT/models/MODEL_ID/artifacts/PATH, not '\(parts.joined(separator: "/"))'"
            )
        }
        root = parts.prefix(rootCount).joined(separator: "/")
        let rest = parts.dropFirst(rootCount).joined(separator: "/")
        if !rest.isEmpty {
            guard ArtifactFile.isSafePath(rest) else { throw .invalid("'\(rest)' is not a safe relative artifact path") }
            path = rest
        }
    }

    /// The entries directly under `folder` (nil: the run's root), as MLflow lists them: names relative
    /// to the folder, folders with `is_dir`.
    static func listing(_ files: [ArtifactFile], under folder: String?) -> [[String: Any]] {
        let prefix = folder.map { $0 + "/" } ?? ""
        var dirs = Set<String>()
        var out = [[String: Any]]()
        for f in files where f.path.hasPrefix(prefix) {
            let rest = f.path.dropFirst(prefix.count)
            if let slash = rest.firstIndex(of: "/") {
                let dir = String(rest[..<slash])
                if dirs.insert(dir).inserted { out.append(["path": dir, "is_dir": true]) }
            } else {
                out.append(["path": String(rest), "is_dir": false, "file_size": f.size])
            }
        }
        return out.sorted { ($0["path"] as? String ?? "") < ($1["path"] as? String ?? "") }
    }
}
