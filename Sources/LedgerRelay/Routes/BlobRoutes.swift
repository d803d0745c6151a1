import Foundation
import HTTPTypes
import Hummingbird
import LedgerProtocol
import LedgerStore

/// Artifact blobs, content-addressed by SHA-256: uploads are hashed as they stream to disk and kept only
/// if the hash matches the name; downloads stream from disk in 256 KiB pieces (so many readers of a large
/// blob cost little memory) and honour `Range`, so an interrupted transfer resumes.
struct BlobRoutes {
    let state: RelayState
    let files = FileIO()

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

    /// How many bytes of an interrupted upload the relay holds (`HEAD` 404) and where a resumed `PUT` continues.
    static let receivedHeader = HTTPField.Name("X-Mledger-Blob-Received")!
    static let offsetHeader = HTTPField.Name("X-Mledger-Blob-Offset")!

    /// Streams the body into the blob's partial file from `X-Mledger-Blob-Offset` (0 when absent). An
    /// interrupted body leaves its bytes there for the next attempt; a hash mismatch leaves nothing.
    @Sendable func upload(_ request: Request, context: RelayContext) async throws -> Response {
        let hash = try requestedHash(context)
        guard (context.role ?? .reader) >= .writer else { throw RelayError.forbidden("uploading artifacts needs the writer role") }
        if state.blobs.contains(hash) { return Response(status: .ok) }
        let limit = UInt64(state.configuration.maxBlobBytes)
        guard let offset = UInt64(request.headers[Self.offsetHeader] ?? "0") else {
            throw RelayError.badRequest("bad_offset", "X-Mledger-Blob-Offset is a count of bytes")
        }
        let intake = try openIntake(hash, at: offset, limit: limit)
        let received = state.metrics.blobBytesReceived
        do {
            for try await chunk in request.body {
                try chunk.withUnsafeReadableBytes { try intake.write($0) }
                received.increment(by: Int64(chunk.readableBytes))
            }
            try intake.finish(expected: hash)
        } catch StoreError.blobTooLarge {
            intake.discard()
            throw RelayError(
                status: .contentTooLarge, code: "blob_too_large",
                message: "blobs are limited to \(state.configuration.maxBlobBytes) bytes on this relay")
        } catch StoreError.blobMismatch {
            throw RelayError.badRequest("hash_mismatch", "the uploaded bytes do not hash to the blob's name; nothing was stored")
        }
        return Response(status: .created)
    }

    /// The blob's partial file, continued at `offset`; refusals say how to continue.
    private func openIntake(_ hash: [UInt8], at offset: UInt64, limit: UInt64) throws -> BlobIntake {
        do {
            return try BlobIntake.resuming(hash, at: offset, into: state.blobs, limit: limit)
        } catch {
            switch error {
            case .blobOffset(let held, _):
                throw RelayError(
                    status: .conflict, code: "bad_offset", message: "this relay holds \(held) bytes of the blob: continue from there",
                    headers: [Self.receivedHeader: String(held)])
            case .blobBusy:
                throw RelayError(status: .conflict, code: "upload_in_progress", message: "another upload of this blob is under way: try again later")
            default: throw error
            }
        }
    }

    @Sendable func download(_ request: Request, context: RelayContext) async throws -> Response {
        let hash = try requestedHash(context)
        let path = state.blobs.url(for: hash).path
        guard let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? nil else {
            throw RelayError(status: .notFound, code: "no_blob", message: "no blob \(Hex.encode(hash).prefix(12)) on this relay")
        }
        var headers: HTTPFields = [.contentType: "application/octet-stream", .acceptRanges: "bytes"]
        var range = 0..<size
        let ranged = request.headers[.range] != nil
        if let header = request.headers[.range] {
            guard let requested = Self.byteRange(header, size: size) else {
                throw RelayError(status: .rangeNotSatisfiable, code: "bad_range", message: "the range \(header) is not within \(size) bytes")
            }
            range = requested
            headers[.contentRange] = "bytes \(range.lowerBound)-\(range.upperBound - 1)/\(size)"
        }
        // Only the requested bytes are read, a piece at a time as the client takes them.
        state.metrics.blobBytesServed.increment(by: Int64(range.count))
        let body =
            range.isEmpty
            ? ResponseBody()
            : try await files.loadFile(path: path, range: range.lowerBound...(range.upperBound - 1), context: context, chunkLength: 256 << 10)
        return Response(status: ranged ? .partialContent : .ok, headers: headers, body: body)
    }

    /// One range of `bytes=FIRST-LAST`, `bytes=FIRST-` or `bytes=-SUFFIX` (RFC 9110), within `size`.
    static func byteRange(_ header: String, size: Int) -> Range<Int>? {
        guard header.hasPrefix("bytes="), !header.contains(",") else { return nil }
        let spec = header.dropFirst(6).split(separator: "-", maxSplits: 1, omittingEmptySubsequences: false)
        guard spec.count == 2 else { return nil }
        let (first, last) = (Int(spec[0]), Int(spec[1]))
        switch (spec[0].isEmpty, spec[1].isEmpty) {
        case (true, false):
            guard let suffix = last, suffix > 0, size > 0 else { return nil }
            return max(0, size - suffix)..<size
        case (false, _):
            guard let first, first >= 0, first < size else { return nil }
            let end = spec[1].isEmpty ? size - 1 : min(size - 1, last ?? -1)
            guard end >= first else { return nil }
            return first..<end + 1
        default: return nil
        }
    }

    @Sendable func exists(_ request: Request, context: RelayContext) async throws -> Response {
        let hash = try requestedHash(context)
        if state.blobs.contains(hash) { return Response(status: .ok) }
        return Response(status: .notFound, headers: [Self.receivedHeader: String(state.blobs.partialSize(hash))])
    }
}
