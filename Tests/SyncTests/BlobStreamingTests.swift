import Foundation
import LedgerProtocol
import LedgerStore
import LedgerTestSupport
import Testing

/// Blob downloads stream from disk through bounded buffers, however large the blob and however many
/// readers (issue 22, finding 5).
@Suite struct BlobStreamingTests {
    static let mib = 1 << 20

    /// Six members download a 512 MiB blob at once; the relay streams it from disk in small pieces.
    @Test func concurrentBlobDownloadsStreamFromDisk() throws {
        let fixture = try TeamFixture()
        let alice = try TeamFixture.signingKey(of: fixture.admin)
        let size = 512 * Self.mib
        let (hash, file) = try Self.placeBlob(size: size, in: fixture.relay)
        defer { try? FileManager.default.removeItem(at: file) }
        let target = "/v1/blobs/\(Hex.encode(hash))"
        let audience = try Signed.audience(of: fixture.relay)
        let results = ReaderResults()
        let group = DispatchGroup()
        let begun = Date()
        for reader in 0..<6 {
            let headers = Signed.headers("GET", target, key: alice, for: audience)
            group.enter()
            Thread.detachNewThread {
                defer { group.leave() }
                results.add(Result { try Self.download(target, headers: headers, port: fixture.relay.port, size: size, hashing: reader == 0) })
            }
        }
        group.wait()
        let peak = fixture.relay.peakMemory() ?? Int.max
        print("relay peak RSS, 6 concurrent downloads of a 512 MiB blob: \(peak / Self.mib) MB (\(Int(Date().timeIntervalSince(begun))) s)")
        for result in results.all {
            switch result {
            case .success(let digest): if let digest { #expect(digest == hash, "the downloaded bytes do not hash to the blob's name") }
            case .failure(let error): Issue.record("download failed: \(error)")
            }
        }
        #expect(results.all.count == 6)
        #expect(peak < 200 * Self.mib, "relay peak RSS \(peak / Self.mib) MB with 6 concurrent 512 MiB downloads")
    }

    /// Ranges still come back exactly, also across the pieces the relay reads from disk.
    @Test func rangesAreServedFromTheStream() throws {
        let fixture = try TeamFixture()
        let alice = try TeamFixture.signingKey(of: fixture.admin)
        let (hash, file) = try Self.placeBlob(size: 2 * Self.mib, in: fixture.relay)
        let bytes = try Array(Data(contentsOf: file))
        let target = "/v1/blobs/\(Hex.encode(hash))"
        let audience = try Signed.audience(of: fixture.relay)
        let chunk = 256 << 10
        for (header, expected) in [
            ("bytes=\(chunk - 10)-\(chunk + 9)", (chunk - 10)..<(chunk + 10)), ("bytes=-5", (bytes.count - 5)..<bytes.count),
            ("bytes=\(bytes.count - 1)-", (bytes.count - 1)..<bytes.count),
        ] {
            let connection = try RawConnection(port: fixture.relay.port, timeout: 10)
            defer { connection.close() }
            try connection.send("GET", target, headers: Signed.headers("GET", target, key: alice, for: audience) + [("Range", header)])
            let head = try #require(try connection.readHead())
            #expect(head.status == 206, "\(header)")
            #expect(head.headers["content-range"] == "bytes \(expected.lowerBound)-\(expected.upperBound - 1)/\(bytes.count)")
            var body = [UInt8]()
            try connection.drain(expected.count, after: head.start) { body += $0 }
            #expect(body == Array(bytes[expected]), "\(header)")
        }
    }

    /// Reads a whole blob and keeps none of it; returns its SHA-256 when `hashing`.
    static func download(_ target: String, headers: [(String, String)], port: Int, size: Int, hashing: Bool) throws -> [UInt8]? {
        let connection = try RawConnection(port: port, timeout: 60)
        defer { connection.close() }
        try connection.send("GET", target, headers: headers)
        guard let head = try connection.readHead() else { throw RawConnection.Failure(description: "no answer to GET \(target)") }
        guard head.status == 200, head.headers["content-length"] == String(size) else {
            throw RawConnection.Failure(description: "GET \(target): status \(head.status), length \(head.headers["content-length"] ?? "none")")
        }
        var hasher = SHA256Stream()
        try connection.drain(size, after: head.start) { piece in if hashing { piece.withUnsafeBytes { hasher.update($0) } } }
        return hashing ? hasher.finish() : nil
    }

    /// Writes `size` bytes (a random MiB, repeated) straight into the relay's blob store; returns the
    /// blob's hash and file.
    static func placeBlob(size: Int, in relay: RelayProcess) throws -> ([UInt8], URL) {
        let store = BlobStore(directory: relay.data.appendingPathComponent("blobs"))
        let temp = relay.data.appendingPathComponent("big-blob")
        let hash = try writeRandomMiBs(size, to: temp)
        try BlobStore.place(temp, at: store.url(for: hash))
        return (hash, store.url(for: hash))
    }
}

/// Writes `size` bytes (a random MiB, repeated; `size` a whole number of MiB) to `file` without holding
/// them in memory; returns their SHA-256.
func writeRandomMiBs(_ size: Int, to file: URL) throws -> [UInt8] {
    let mib = 1 << 20
    #expect(FileManager.default.createFile(atPath: file.path, contents: nil))
    let handle = try FileHandle(forWritingTo: file)
    let block = Data(secureRandomBytes(mib))
    var hasher = SHA256Stream()
    for _ in 0..<(size / mib) {
        block.withUnsafeBytes { hasher.update($0) }
        try handle.write(contentsOf: block)
    }
    try handle.close()
    return hasher.finish()
}

/// What each concurrent reader ended with.
final class ReaderResults: @unchecked Sendable {
    private let lock = NSLock()
    private var results = [Result<[UInt8]?, any Error>]()

    func add(_ result: Result<[UInt8]?, any Error>) { lock.withLock { results.append(result) } }
    var all: [Result<[UInt8]?, any Error>] { lock.withLock { results } }
}
