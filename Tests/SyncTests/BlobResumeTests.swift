import Foundation
import LedgerProtocol
import LedgerStore
import LedgerTestSupport
import Testing

/// Interrupted blob transfers continue from the byte where they stopped (SYNC.md section 9): the relay
/// keeps what an upload sent, a download keeps what it received, and the hash covers the whole blob.
@Suite struct BlobResumeTests {
    static let mib = 1 << 20

    /// `mledger sync` killed with SIGKILL in the middle of a blob upload: the next sync sends only the
    /// bytes the relay lacks, so the relay receives the blob's size in all, once.
    @Test func uploadKilledMidwaySendsOnlyTheRest() throws {
        let fixture = try TeamFixture()
        let size = 384 * Self.mib
        let (hash, file, _) = try Self.logArtifact(size: size, by: fixture.admin)
        let partial = BlobStore(directory: fixture.relay.data.appendingPathComponent("blobs")).partialURL(for: hash)
        let held = try Self.killMidway(fixture.admin.process(["sync"]), once: partial, holds: size / 8)
        #expect(held > 0 && held < UInt64(size), "the kill must land mid-upload (\(held) of \(size) bytes held)")
        #expect(try Self.counter("mledger_blob_bytes_received_total", of: fixture.relay) == Int(held))

        try fixture.admin.ok("sync")
        #expect(try Self.counter("mledger_blob_bytes_received_total", of: fixture.relay) == size, "the resumed upload sent more than the rest")
        let stored = BlobStore(directory: fixture.relay.data.appendingPathComponent("blobs"))
        #expect(stored.isIntact(hash))
        #expect(!FileManager.default.fileExists(atPath: partial.path), "the partial upload stays after the blob is complete")
        try? FileManager.default.removeItem(at: file)
    }

    /// `mledger model pull` killed in the middle of a download: the next pull asks only for the rest
    /// (a `Range`), and the file it writes is the blob.
    @Test func pullKilledMidwayAsksOnlyForTheRest() throws {
        let fixture = try TeamFixture()
        let bob = try fixture.join("Bob", role: "reader")
        let size = 384 * Self.mib
        let (hash, file, run) = try Self.logArtifact(size: size, by: fixture.admin)
        try fixture.admin.ok("model", "create", "digits")
        try fixture.admin.ok("model", "version", "create", "digits", "--run", run)
        try fixture.admin.ok("sync")
        try bob.ok("sync")
        let partial = BlobStore(directory: bob.workspace.appendingPathComponent(".mledger/blobs")).partialURL(for: hash)
        let out = bob.root.appendingPathComponent("out")
        let servedBefore = try Self.counter("mledger_blob_bytes_served_total", of: fixture.relay)
        let held = try Self.killMidway(bob.process(["model", "pull", "digits@v1", "--out", out.path]), once: partial, holds: size / 8)
        #expect(held > 0 && held < UInt64(size), "the kill must land mid-download (\(held) of \(size) bytes held)")

        let servedFirst = try Self.counter("mledger_blob_bytes_served_total", of: fixture.relay)
        try bob.ok("model", "pull", "digits@v1", "--out", out.path)
        let servedThen = try Self.counter("mledger_blob_bytes_served_total", of: fixture.relay)
        #expect(servedFirst - servedBefore == size)
        #expect(servedThen - servedFirst == size - Int(held), "the resumed download asked for more than the rest")
        let pulled = out.appendingPathComponent("weights.bin")
        #expect(Self.sha256(of: pulled) == hash)
        #expect(!FileManager.default.fileExists(atPath: partial.path))
        try? FileManager.default.removeItem(at: file)
        try? FileManager.default.removeItem(at: pulled)
    }

    /// A resumed upload whose bytes do not hash to the blob's name leaves nothing, not even the part
    /// sent before; a resume from the wrong byte is refused with the count the relay holds.
    @Test func mismatchAfterResumeLeavesNothing() throws {
        let fixture = try TeamFixture()
        let alice = try TeamFixture.signingKey(of: fixture.admin)
        let audience = try Signed.audience(of: fixture.relay)
        let bytes = secureRandomBytes(2 * Self.mib)
        let hash = Hashing.sha256(bytes)
        let target = "/v1/blobs/\(Hex.encode(hash))"
        func signed() -> [(String, String)] {
            RequestSignature.headers(method: "PUT", target: target, bodySHA256: hash, audience: audience, key: alice, nowMs: wallClockMs())
        }
        func put(_ body: ArraySlice<UInt8>, offset: Int) throws -> (status: Int, headers: [String: String])? {
            let connection = try RawConnection(port: fixture.relay.port, timeout: 10)
            defer { connection.close() }
            try connection.send(
                "PUT", target, headers: signed() + [("Content-Length", String(body.count)), ("X-Mledger-Blob-Offset", String(offset))],
                body: Array(body))
            return try connection.readHead().map { ($0.status, $0.headers) }
        }
        func held() throws -> String? {
            let connection = try RawConnection(port: fixture.relay.port, timeout: 10)
            defer { connection.close() }
            try connection.send("HEAD", target, headers: Signed.headers("HEAD", target, key: alice, for: audience))
            let head = try #require(try connection.readHead())
            #expect(head.status == 404)
            return head.headers["x-mledger-blob-received"]
        }
        // A first part; while it is open a second upload of the blob is turned away; then the first
        // connection drops before its declared length.
        let first = try RawConnection(port: fixture.relay.port, timeout: 10)
        try first.send(
            "PUT", target, headers: signed() + [("Content-Length", String(bytes.count)), ("X-Mledger-Blob-Offset", "0")],
            body: Array(bytes[0..<Self.mib]))
        let store = BlobStore(directory: fixture.relay.data.appendingPathComponent("blobs"))
        Self.waitForBytes(at: store.partialURL(for: hash), atLeast: UInt64(Self.mib))
        let busy = try #require(try put(bytes[...], offset: 0))
        #expect(busy.status == 409, "a second upload of a blob while one is under way")
        first.close()
        let deadline = Date().addingTimeInterval(10)
        while try held() != String(Self.mib), Date() < deadline { usleep(20_000) }
        #expect(try held() == String(Self.mib))
        let wrongOffset = try #require(try put(bytes[(Self.mib + 1)...], offset: Self.mib + 1))
        #expect(wrongOffset.status == 409)
        #expect(wrongOffset.headers["x-mledger-blob-received"] == String(Self.mib))
        var corrupt = Array(bytes[Self.mib...])
        corrupt[corrupt.count - 1] ^= 1
        #expect(try put(corrupt[...], offset: Self.mib)?.status == 400)
        #expect(try held() == "0")
        #expect(!FileManager.default.fileExists(atPath: store.partialURL(for: hash).path))
        #expect(!store.contains(hash))
    }

    /// A sync that meets another upload of the same blob still under way (409 `upload_in_progress`, sent
    /// before the relay reads the body) waits for it to end and then continues from what the relay kept.
    @Test func syncWaitsForAnUploadUnderWay() throws {
        let fixture = try TeamFixture()
        let alice = try TeamFixture.signingKey(of: fixture.admin)
        let audience = try Signed.audience(of: fixture.relay)
        let size = 64 * Self.mib
        let (hash, file, _) = try Self.logArtifact(size: size, by: fixture.admin)
        let target = "/v1/blobs/\(Hex.encode(hash))"
        let head = try Data(contentsOf: file, options: .alwaysMapped).prefix(Self.mib)
        let other = try RawConnection(port: fixture.relay.port, timeout: 10)
        let signed = RequestSignature.headers(method: "PUT", target: target, bodySHA256: hash, audience: audience, key: alice, nowMs: wallClockMs())
        try other.send("PUT", target, headers: signed + [("Content-Length", String(size))], body: Array(head))
        let store = BlobStore(directory: fixture.relay.data.appendingPathComponent("blobs"))
        Self.waitForBytes(at: store.partialURL(for: hash), atLeast: UInt64(Self.mib))
        let sync = fixture.admin.process(["sync"])
        sync.standardOutput = FileHandle.nullDevice
        sync.standardError = FileHandle.nullDevice
        try sync.run()
        usleep(2_000_000)
        other.close()
        let deadline = Date().addingTimeInterval(60)
        while sync.isRunning, Date() < deadline { usleep(50_000) }
        if sync.isRunning { kill(sync.processIdentifier, SIGKILL) }
        sync.waitUntilExit()
        #expect(sync.terminationStatus == 0, "the sync did not finish within a minute of the other upload's end")
        #expect(store.isIntact(hash))
        #expect(try Self.counter("mledger_blob_bytes_received_total", of: fixture.relay) == size, "the sync sent more than the rest")
    }

    /// Runs `process` quietly and kills it with SIGKILL once `partial` holds `bytes`; returns what the
    /// partial file holds when it has settled.
    static func killMidway(_ process: Process, once partial: URL, holds bytes: Int) throws -> UInt64 {
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        waitForBytes(at: partial, atLeast: UInt64(bytes))
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        return try settledSize(of: partial)
    }

    /// Writes `size` bytes (a random MiB, repeated) and logs them as `weights.bin` of a new run; returns
    /// the blob's hash, the file and the run.
    static func logArtifact(size: Int, by cli: CLI) throws -> ([UInt8], URL, String) {
        let file = cli.root.appendingPathComponent("weights.bin")
        let hash = try writeRandomMiBs(size, to: file)
        let run = try cli.initRunInExistingWorkspace()
        try cli.ok("run", "artifact", run, file.path)
        return (hash, file, run)
    }

    static func sha256(of file: URL) -> [UInt8]? {
        guard let input = FileHandle(forReadingAtPath: file.path) else { return nil }
        defer { try? input.close() }
        var hasher = SHA256Stream()
        guard (try? BlobStore.hashRest(of: input, into: &hasher)) != nil else { return nil }
        return hasher.finish()
    }

    /// Waits (up to a minute) until `file` holds at least `count` bytes.
    static func waitForBytes(at file: URL, atLeast count: UInt64) {
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline, size(of: file) < count { usleep(500) }
    }

    static func size(of file: URL) -> UInt64 {
        ((try? FileManager.default.attributesOfItem(atPath: file.path)[.size]) as? NSNumber)?.uint64Value ?? 0
    }

    /// The file's size once it stops growing (the relay has written what it received before the drop).
    static func settledSize(of file: URL) throws -> UInt64 {
        var last = size(of: file)
        for _ in 0..<100 {
            usleep(50_000)
            let now = size(of: file)
            if now == last { return now }
            last = now
        }
        return last
    }

    static func counter(_ name: String, of relay: RelayProcess) throws -> Int {
        let text = try String(contentsOf: try #require(URL(string: relay.url + "/metrics")), encoding: .utf8)
        let line = text.split(separator: "\n").first { $0.hasPrefix(name + " ") }
        return Int(Double(line?.split(separator: " ").last ?? "0") ?? 0)
    }
}
