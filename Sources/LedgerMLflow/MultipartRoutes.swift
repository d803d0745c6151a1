import Foundation
import Hummingbird
import LedgerProtocol
import LedgerStore

/// MLflow's proxied multipart upload (`MLFLOW_ENABLE_PROXY_MULTIPART_UPLOAD`): `create` hands the client
/// one URL per part on this server, the client PUTs the parts (in parallel, without its token: the
/// upload id in the URL is the secret), and `complete` streams them in order into one blob, recorded as
/// the artifact like a single PUT. Parts wait in the blob store's `.uploads/ID/` folder; `abort` removes it.
struct MultipartRoutes {
    let service: MLflowService
    static let prefix = "/api/2.0/mlflow-artifacts/mpu"
    /// Part uploads carry no token (the client sends them as presigned requests).
    static let partPrefix = "\(prefix)/part/"
    static let maxParts: Int64 = 10_000

    /// One upload in progress: where its artifact goes and how many parts it has.
    struct Upload: Sendable {
        var location: String
        var parts: Int64
    }

    func register(on router: Router<BasicRequestContext>) {
        let s = service
        let uploads = s.uploads
        router.mlflowRoute(.post, "\(Self.prefix)/create/**") { body, query, target in
            let r = try MLflowRequest(body: body, query: query)
            let location = try Self.destination(r, target)
            guard location.path != nil else { throw MLflowError.invalid("give the file's path in 'path'") }
            _ = try s.artifactOwner(location)
            s.removeAbandonedUploads()
            let parts = try r.int64("num_parts") ?? 1
            guard (1...Self.maxParts).contains(parts) else { throw MLflowError.invalid("num_parts must be between 1 and \(Self.maxParts)") }
            let id = Hex.encode(secureRandomBytes(16))
            try FileManager.default.createDirectory(at: s.uploadFolder(id), withIntermediateDirectories: true)
            uploads.modify { $0[id] = Upload(location: location.text, parts: parts) }
            let base = target.base
            return [
                "upload_id": id,
                "credentials": (1...parts).map { n in ["part_number": n, "url": "\(base)\(Self.partPrefix)\(id)/\(n)", "headers": [String: String]()]
                },
            ]
        }
        router.put("\(Self.partPrefix):upload/:part") { request, context -> Response in
            let id = context.parameters.get("upload") ?? ""
            guard let upload = uploads.read({ $0[id] }), let number = context.parameters.get("part").flatMap(Int64.init),
                (1...upload.parts).contains(number)
            else { throw MLflowError.notFound("no multipart upload \(id.prefix(8)) with that part") }
            let file = s.uploadFolder(id).appendingPathComponent("part-\(number)")
            let etag = try await Self.receivePart(request.body, to: file)
            return Response(status: .ok, headers: [.eTag: etag])
        }
        router.mlflowRoute(.post, "\(Self.prefix)/complete/**") { body, query, target in
            let r = try MLflowRequest(body: body, query: query)
            let (id, upload, location) = try Self.upload(r, target, uploads)
            guard let path = location.path else { throw MLflowError.invalid("no file path in \(location.text)") }
            let parts = try r.objects("parts").compactMap { p -> (Int64, String)? in
                guard let n = try p.int64("part_number") else { return nil }
                return (n, p.string("etag") ?? "")
            }.sorted { $0.0 < $1.0 }
            guard parts.map(\.0) == Array(1...upload.parts) else {
                throw MLflowError.invalid("complete names parts \(parts.map(\.0)), not 1...\(upload.parts)")
            }
            let intake = try BlobIntake(into: s.blobs, limit: MLflowServer.maxArtifactBytes)
            for (number, etag) in parts {
                let file = s.uploadFolder(id).appendingPathComponent("part-\(number)")
                guard let input = FileHandle(forReadingAtPath: file.path) else { throw MLflowError.invalid("part \(number) was never uploaded") }
                defer { try? input.close() }
                var hasher = SHA256Stream()
                while let chunk = try input.read(upToCount: 1 << 20), !chunk.isEmpty {
                    try chunk.withUnsafeBytes { piece in
                        hasher.update(piece)
                        try intake.write(piece)
                    }
                }
                guard etag.isEmpty || Hex.encode(hasher.finish()) == etag else {
                    throw MLflowError.invalid("part \(number) does not match its ETag: upload it again")
                }
            }
            let (hash, size) = try intake.finish()
            try s.record(ArtifactFile(path: path, sha256: hash, size: size), for: try s.artifactOwner(location))
            s.endUpload(id)
            return [:]
        }
        router.mlflowRoute(.post, "\(Self.prefix)/abort/**") { body, query, target in
            let (id, _, _) = try Self.upload(try MLflowRequest(body: body, query: query), target, uploads)
            s.endUpload(id)
            return [:]
        }
    }

    /// Where the file goes: the route names the folder, the body's `path` the client's local file, whose
    /// name the artifact takes (as MLflow's artifact stores do).
    static func destination(_ r: MLflowRequest, _ target: RequestTarget) throws -> ArtifactLocation {
        let name = try r.required("path").split(separator: "/").last.map(String.init) ?? ""
        return try ArtifactLocation(segments: target.catchAll + [Substring(name)])
    }

    /// The upload a complete or abort names, which must be for the same file.
    static func upload(_ r: MLflowRequest, _ target: RequestTarget, _ uploads: Locked<[String: Upload]>) throws -> (String, Upload, ArtifactLocation)
    {
        let id = try r.required("upload_id")
        let location = try destination(r, target)
        guard let upload = uploads.read({ $0[id] }), upload.location == location.text else {
            throw MLflowError.notFound("no multipart upload \(id.prefix(8)) for \(location.text)")
        }
        return (id, upload, location)
    }

    /// Streams one part to its file; returns its ETag (the part's SHA-256, hex).
    static func receivePart(_ body: RequestBody, to file: URL) async throws -> String {
        guard FileManager.default.createFile(atPath: file.path, contents: nil), let handle = FileHandle(forWritingAtPath: file.path) else {
            throw MLflowError(.internalError, "cannot write a part to \(file.path)")
        }
        defer { try? handle.close() }
        var hasher = SHA256Stream()
        for try await piece in body {
            piece.withUnsafeReadableBytes { hasher.update($0) }
            try handle.write(contentsOf: Data(buffer: piece))
        }
        try handle.synchronize()
        return Hex.encode(hasher.finish())
    }
}

extension MLflowService {
    func uploadFolder(_ id: String) -> URL { blobs.directory.appendingPathComponent(".uploads").appendingPathComponent(id) }

    /// Parts of uploads a client started and neither completed nor aborted, a day on (or from before a restart).
    func removeAbandonedUploads() {
        let fm = FileManager.default
        let folder = blobs.directory.appendingPathComponent(".uploads")
        let live = uploads.read { Set($0.keys) }
        let dayAgo = Date().addingTimeInterval(-86_400)
        for name in (try? fm.contentsOfDirectory(atPath: folder.path)) ?? [] where !live.contains(name) {
            let url = folder.appendingPathComponent(name)
            if let made = (try? fm.attributesOfItem(atPath: url.path))?[.modificationDate] as? Date, made < dayAgo { try? fm.removeItem(at: url) }
        }
    }

    func endUpload(_ id: String) {
        uploads.modify { $0[id] = nil }
        try? FileManager.default.removeItem(at: uploadFolder(id))
    }

    /// Records an uploaded file as an artifact of its run or logged model.
    func record(_ file: ArtifactFile, for owner: ArtifactOwner) throws {
        switch owner {
        case .run(let run): try append(RunArtifacts(run: run, files: [file]))
        case .loggedModel(let model): try append(LoggedModelUpdate(model: model, files: [file]))
        }
    }
}
