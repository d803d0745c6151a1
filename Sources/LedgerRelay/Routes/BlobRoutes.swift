import Foundation
import Hummingbird
import LedgerProtocol
import LedgerStore

/// Artifact blobs, content-addressed by SHA-256: uploads are hashed as they stream to disk and kept only
/// if the hash matches the name; downloads honour `Range`, so an interrupted transfer resumes.
struct BlobRoutes {
    let state: RelayState

    func register(on group: RouterGroup<RelayContext>) {
        group.put("blobs/:hash", use: upload)
        group.get("blobs/:hash", use: download)
        group.head("blobs/:hash", use: exists)
    }

    /// The hash in `/v1/blobs/HEX`, if the path is a blob path.
    static func hash(inPath path: String) -> [UInt8]? {
        guard path.hasPrefix("/v1/blobs/") else { return nil }
        let hex = path.dropFirst("/v1/blobs/".count)
        guard hex.count == 64, let bytes = Hex.decode(String(hex)) else { return nil }
        return bytes
    }

    private func requestedHash(_ context: RelayContext) throws -> [UInt8] {
        guard let hex = context.parameters.get("hash"), hex.count == 64, let hash = Hex.decode(hex) else {
            throw RelayError.badRequest("bad_hash", "a blob is named by the 64 hex digits of its SHA-256")
        }
        return hash
    }

    @Sendable func upload(_ request: Request, context: RelayContext) async throws -> Response {
        let hash = try requestedHash(context)
        guard (context.role ?? .reader) >= .writer else { throw RelayError.forbidden("uploading artifacts needs the writer role") }
        if state.blobs.contains(hash) { return Response(status: .ok) }
        let fm = FileManager.default
        let temp = state.configuration.blobDirectory.appendingPathComponent(".upload-\(UUID().uuidString)")
        guard fm.createFile(atPath: temp.path, contents: nil), let handle = FileHandle(forWritingAtPath: temp.path) else {
            throw HTTPError(.internalServerError, message: "cannot write to the blob store")
        }
        defer { try? fm.removeItem(at: temp) }
        var hasher = SHA256Stream()
        do {
            for try await chunk in request.body {
                chunk.withUnsafeReadableBytes { hasher.update($0) }
                try handle.write(contentsOf: Data(buffer: chunk))
            }
            try handle.synchronize()
            try handle.close()
        } catch {
            try? handle.close()
            throw error
        }
        guard hasher.finish() == hash else {
            throw RelayError.badRequest("hash_mismatch", "the uploaded bytes do not hash to the blob's name; nothing was stored")
        }
        let target = state.blobs.url(for: hash)
        try fm.createDirectory(at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
        if !fm.fileExists(atPath: target.path) { try fm.moveItem(at: temp, to: target) }
        return Response(status: .created)
    }

    @Sendable func download(_ request: Request, context: RelayContext) async throws -> Response {
        let hash = try requestedHash(context)
        guard let data = FileManager.default.contents(atPath: state.blobs.url(for: hash).path) else {
            throw HTTPError(.notFound, message: "no blob \(Hex.encode(hash).prefix(12)) on this relay")
        }
        var start = 0
        if let range = request.headers[.range], range.hasPrefix("bytes="),
           let from = Int(range.dropFirst(6).split(separator: "-").first ?? ""), from >= 0, from <= data.count {
            start = from
        }
        var headers: HTTPFields = [.contentType: "application/octet-stream"]
        if start > 0 { headers[.contentRange] = "bytes \(start)-\(data.count - 1)/\(data.count)" }
        return Response(status: start > 0 ? .partialContent : .ok, headers: headers,
                        body: .init(byteBuffer: ByteBuffer(bytes: data[start...])))
    }

    @Sendable func exists(_ request: Request, context: RelayContext) async throws -> Response {
        Response(status: state.blobs.contains(try requestedHash(context)) ? .ok : .notFound)
    }
}
