import Foundation
import LedgerProcesses
import LedgerProtocol
import LedgerStore
import LedgerSync

/// `--scale`, blobs: a 5 GB artifact (written on the fly) goes to a relay with `mledger sync`, killed at
/// 60% of the upload and run again; another member pulls it with `mledger model pull`; then it is logged
/// through `mledger serve`'s MLflow artifact route. Each process's peak memory (VmHWM, sampled while it
/// runs) must stay under 100 MB, and the resumed upload must send only the rest. Each copy of the blob
/// is deleted once its step is done (at most three are on disk at once). BENCH_SCALE shrinks the blob.
func runBlobBench(in temp: URL) async throws {
    let binaries = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
    setenv("MLEDGER_BIN_DIR", binaries.path, 0)
    let size = scaled(5 * 1024) << 20
    let folder = temp.appendingPathComponent("blobs")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    print("Blobs: one artifact of \(size >> 20) MiB, the mledger binaries beside this one, over loopback (disk and CPU shared with other work)")

    let relay = try RelayProcess(team: nil, data: folder.appendingPathComponent("relay"), binary: binaries.appendingPathComponent("mledger-relay"))
    defer { relay.stop() }
    let alice = try CLIProcess(parent: folder)
    _ = try alice.succeed(["init", "--team", "bench", "--name", "Alice"])
    _ = try alice.succeed(["remote", "add", "origin", relay.url])
    _ = try alice.succeed(["sync"])
    let file = folder.appendingPathComponent("weights.bin")
    let hash = try writeBlob(file, size: size)
    let run = try alice.succeed(["run", "start", "--experiment", "big"]).trimmingCharacters(in: .whitespacesAndNewlines)
    let logged = try Watched(alice.process(["run", "artifact", run, file.path]))
    try logged.finish()
    try FileManager.default.removeItem(at: file)
    showTransfer("run artifact (copy into the workspace's store)", logged, bytes: size)
    _ = try alice.succeed(["model", "create", "big"])
    _ = try alice.succeed(["model", "version", "create", "big", "--run", run])

    // The upload, killed with SIGKILL once the relay holds 60% of the blob, then run again.
    let partial = BlobStore(directory: relay.data.appendingPathComponent("blobs")).partialURL(for: hash)
    let killed = try Watched(alice.process(["sync"]))
    while killed.process.isRunning, BlobStore.size(of: partial) < UInt64(size) * 6 / 10 { usleep(2_000) }
    kill(killed.process.processIdentifier, SIGKILL)
    killed.process.waitUntilExit()
    waitForRelease(partial)
    let held = BlobStore.size(of: partial)
    let receivedBefore = try await relayCounter("mledger_blob_bytes_received_total", relay)
    let resumed = try Watched(alice.process(["sync"]))
    try resumed.finish()
    let sent = try await relayCounter("mledger_blob_bytes_received_total", relay) - receivedBefore
    showTransfer("sync killed at \(Int(Double(held) * 100 / Double(size)))% of the upload", killed, bytes: Int(held))
    showTransfer("sync run again: sends the rest", resumed, bytes: sent)
    let rest = size - Int(held)
    print(
        "  resumed upload sent \(sent) bytes, the rest being \(rest)  [target: only the rest: \(sent == rest ? "met" : "MISSED")]")
    try? FileManager.default.removeItem(at: alice.workspace.appendingPathComponent(".mledger/blobs"))

    // Another member pulls the model version's file.
    let bob = try CLIProcess(parent: folder)
    _ = try bob.succeed(["identity", "create", "--name", "Bob"])
    let bobKey = (try bob.jsonOutput(["identity", "show"]) as? [String: Any])?["publicKey"] as? String ?? ""
    _ = try alice.succeed(["team", "add", bobKey, "--role", "reader", "--name", "Bob"])
    _ = try alice.succeed(["sync"])
    _ = try bob.succeed(["init", "--join", relay.url])
    let out = folder.appendingPathComponent("pulled")
    let pull = try Watched(bob.process(["model", "pull", "big@v1", "--out", out.path]))
    try pull.finish()
    showTransfer("model pull by another member (download, copy out)", pull, bytes: size)
    showPeak("relay during upload and download", relay.peakMemory() ?? 0)
    relay.stop()
    try? FileManager.default.removeItem(at: relay.data)
    try? FileManager.default.removeItem(at: bob.workspace.appendingPathComponent(".mledger/blobs"))

    // The pulled file logged as an MLflow artifact through `mledger serve`.
    let carol = try CLIProcess(parent: folder)
    _ = try carol.succeed(["init", "--team", "solo", "--name", "Carol"])
    let serve = try carol.startServe()
    defer {
        serve.process.terminate()
        serve.process.waitUntilExit()
    }
    let pulled = out.appendingPathComponent("weights.bin")
    let logTime = try await logArtifact(pulled, to: serve.address, token: serve.token)
    let servePeak = ProcessMemory.peak(serve.process.processIdentifier) ?? 0
    print(
        "  \("MLflow log_artifact through mledger serve".padding(toLength: 52, withPad: " ", startingAt: 0)) \(String(format: "%6.1f s", logTime))  \(Int(Double(size) / logTime) >> 20) MiB/s"
    )
    showPeak("mledger serve during log_artifact", servePeak)
    try? FileManager.default.removeItem(at: out)
}

/// A CLI process run to its end while a thread samples its peak memory (VmHWM only grows, so the last
/// sample before it exits is its peak, to within the sampling interval of 10 ms).
private final class Watched: @unchecked Sendable {
    let process: Process
    let started = DispatchTime.now().uptimeNanoseconds
    private let lock = NSLock()
    private var sampled = 0
    private var ended: UInt64 = 0

    init(_ process: Process) throws {
        self.process = process
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        let pid = process.processIdentifier
        Thread.detachNewThread { [self] in
            while process.isRunning {
                if let peak = ProcessMemory.peak(pid) { lock.withLock { sampled = max(sampled, peak) } }
                usleep(10_000)
            }
            lock.withLock { ended = DispatchTime.now().uptimeNanoseconds }
        }
    }

    var peak: Int { lock.withLock { sampled } }
    var seconds: Double { Double(lock.withLock { ended == 0 ? DispatchTime.now().uptimeNanoseconds : ended } - started) / 1e9 }

    /// Waits for the end; a failed command stops the bench.
    func finish() throws {
        process.waitUntilExit()
        while lock.withLock({ ended == 0 }) { usleep(1_000) }
        guard process.terminationStatus == 0 else {
            throw CommandFailed(description: "mledger \((process.arguments ?? []).joined(separator: " ")) exited \(process.terminationStatus)")
        }
    }
}

private struct CommandFailed: Error, CustomStringConvertible {
    var description: String
}

private func showTransfer(_ name: String, _ watched: Watched, bytes: Int) {
    let time = watched.seconds
    print(
        "  \(name.padding(toLength: 52, withPad: " ", startingAt: 0)) \(String(format: "%6.1f s", time))  \(Int(Double(bytes) / time) >> 20) MiB/s"
    )
    showPeak("  its peak memory", watched.peak)
}

private func showPeak(_ name: String, _ bytes: Int) {
    print(
        "  \(name.padding(toLength: 52, withPad: " ", startingAt: 0)) \(bytes >> 20) MB  [target < 100 MB: \(bytes < 100 << 20 ? "met" : "MISSED")]")
}

/// `size` bytes of a random MiB repeated (a blob no other run shares); returns their SHA-256.
private func writeBlob(_ file: URL, size: Int) throws -> [UInt8] {
    guard FileManager.default.createFile(atPath: file.path, contents: nil) else { throw StoreError.blob("cannot write \(file.path)") }
    let handle = try FileHandle(forWritingTo: file)
    defer { try? handle.close() }
    let block = Data(secureRandomBytes(1 << 20))
    var hasher = SHA256Stream()
    for _ in 0..<(size >> 20) {
        block.withUnsafeBytes { hasher.update($0) }
        try handle.write(contentsOf: block)
    }
    return hasher.finish()
}

/// Waits until the relay has finished with an upload's partial file (it syncs the bytes of a cut upload to
/// disk, holding the file's lock, before the next upload of the blob may continue it).
private func waitForRelease(_ partial: URL) {
    let fd = open(partial.path, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else { return }
    defer { close(fd) }
    while flock(fd, LOCK_EX | LOCK_NB) != 0 { usleep(20_000) }
    flock(fd, LOCK_UN)
}

private func relayCounter(_ name: String, _ relay: RelayProcess) async throws -> Int {
    let answer = try await SocketTransport(host: "127.0.0.1", port: relay.port).send(HTTPRequest(method: "GET", target: "/metrics"))
    let line = String(decoding: answer.body, as: UTF8.self).split(separator: "\n").first { $0.hasPrefix(name + " ") }
    return Int(Double(line?.split(separator: " ").last ?? "0") ?? 0)
}

/// Creates an experiment and a run through the MLflow REST API, then PUTs `file` to the run's artifact
/// route, streamed from disk; returns the seconds the upload took.
private func logArtifact(_ file: URL, to address: String, token: String) async throws -> Double {
    let parts = address.split(separator: ":")
    let transport = SocketTransport(host: String(parts[0]), port: Int(parts.last ?? "") ?? 0)
    let auth = [("Authorization", "Bearer \(token)")]
    func post(_ path: String, _ json: String) async throws -> [String: Any] {
        let headers = auth + [("Content-Type", "application/json")]
        let answer = try await transport.send(
            HTTPRequest(method: "POST", target: "/api/2.0/mlflow/\(path)", headers: headers, body: Array(json.utf8)))
        guard answer.status == 200, let object = try JSONSerialization.jsonObject(with: Data(answer.body)) as? [String: Any] else {
            throw SyncError.badResponse("\(path): \(answer.status) \(String(decoding: answer.body.prefix(300), as: UTF8.self))")
        }
        return object
    }
    let experiment = try await post("experiments/create", #"{"name":"big"}"#)["experiment_id"] as? String ?? ""
    let run = (try await post("runs/create", #"{"experiment_id":"\#(experiment)"}"#)["run"] as? [String: Any])?["info"] as? [String: Any]
    let runID = run?["run_id"] as? String ?? ""
    let target = "/api/2.0/mlflow-artifacts/artifacts/\(experiment)/\(runID)/artifacts/weights.bin"
    var status = 0
    let time = try await asyncSeconds {
        status = try await transport.send(HTTPRequest(method: "PUT", target: target, headers: auth, bodyFile: file)).status
    }
    guard status == 200 else { throw SyncError.badResponse("PUT \(target): \(status)") }
    return time
}
