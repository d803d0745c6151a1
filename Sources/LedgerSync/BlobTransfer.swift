import Foundation
import LedgerProtocol
import LedgerStore

/// Blob uploads and downloads that resume where an interrupted one stopped (SYNC.md section 9): the relay
/// tells how many bytes of an upload it holds, and a download continues its file with a `Range`.
extension RelayClient {
    /// What the relay holds of a blob: all of it, or the first bytes of an interrupted upload (0: none).
    public enum BlobHolding: Equatable, Sendable {
        case whole
        case partial(UInt64)
    }

    static func blobTarget(_ sha256: [UInt8]) -> String { "/v1/blobs/\(Hex.encode(sha256))" }

    public func blobHolding(_ sha256: [UInt8]) async throws -> BlobHolding {
        let answer = try await send("HEAD", Self.blobTarget(sha256), accept: [404])
        if answer.status == 200 { return .whole }
        return .partial(answer.headers["x-mledger-blob-received"].flatMap { UInt64($0) } ?? 0)
    }

    /// Uploads a blob from its file, read a piece at a time as it is sent, after the `held` bytes the relay
    /// already has (the relay checks the hash of the whole). Returns how many bytes were sent.
    @discardableResult
    public func uploadBlob(_ sha256: [UInt8], from file: URL, after held: UInt64 = 0) async throws -> UInt64 {
        let size = BlobStore.size(of: file)
        let offset = transport.sendsFromOffset && held <= size ? held : 0
        _ = try await send(
            "PUT", Self.blobTarget(sha256), bodyFile: file, bodyOffset: offset, bodySHA256: sha256,
            contentType: "application/octet-stream", headers: [("X-Mledger-Blob-Offset", String(offset))])
        return size - offset
    }

    /// Downloads a blob into `file`, continuing what an interrupted download left there, hashing it as it
    /// streams to disk, so a blob of any size costs little memory. An interruption keeps the bytes for the
    /// next attempt; bytes that do not hash to the blob's name are removed and it throws.
    public func downloadBlob(_ sha256: [UInt8], to file: URL) async throws {
        let sink = try ResumingFileSink(continuing: file)
        let range = sink.offset > 0 ? [("Range", "bytes=\(sink.offset)-")] : []
        let answer: HTTPResponse
        do {
            answer = try await send("GET", Self.blobTarget(sha256), headers: range, accept: [416], sink: sink)
        } catch {
            sink.close()
            throw error
        }
        if answer.status == 416 {
            // The file already holds as much as the blob or more: it is not a part of it, so start over.
            sink.discard()
            guard sink.offset > 0 else { throw SyncError.badResponse("the relay refused a download of blob \(Hex.encode(sha256).prefix(12))") }
            return try await downloadBlob(sha256, to: file)
        }
        guard try sink.finish() == sha256 else {
            sink.discard()
            throw SyncError.badResponse("blob \(Hex.encode(sha256).prefix(12)) does not match its hash; its bytes were removed, try again")
        }
    }
}
