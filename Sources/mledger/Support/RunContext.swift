import Foundation
import LedgerProtocol
import LedgerStore

/// The git state of the current folder, if it is in a git work tree.
struct GitState {
    var commit: String
    var dirty: Bool

    static func current() -> GitState? {
        guard let commit = Shell.output("git", "rev-parse", "HEAD") else { return nil }
        return GitState(commit: commit, dirty: Shell.output("git", "status", "--porcelain", "--untracked-files=no") != nil)
    }
}

/// A short hash of what shapes the software environment: OS, CPU architecture, and the active
/// Python environment and search paths. Equal fingerprints suggest runs are comparable.
enum EnvironmentFingerprint {
    static func current() -> String {
        var u = utsname()
        uname(&u)
        func field<T>(_ value: T) -> String {
            withUnsafeBytes(of: value) { raw in String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self) }
        }
        let env = ProcessInfo.processInfo.environment
        let parts =
            [field(u.sysname), field(u.release), field(u.machine)]
            + ["VIRTUAL_ENV", "CONDA_PREFIX", "PYTHONPATH", "PATH"].map { "\($0)=\(env[$0] ?? "")" }
        return String(Hashing.blake2b256(Array(parts.joined(separator: "\n").utf8)).hex.prefix(16))
    }
}

/// Stores files and folders in the blob store and names them for an artifact event.
enum ArtifactFiles {
    static func store(_ paths: [String], in blobs: BlobStore) throws -> [ArtifactFile] {
        let fm = FileManager.default
        var files = [ArtifactFile]()
        for path in paths {
            let url = URL(fileURLWithPath: path).standardizedFileURL
            var isDir: ObjCBool = false
            guard fm.fileExists(atPath: url.path, isDirectory: &isDir) else {
                throw StoreError.invalidInput("\(path) does not exist")
            }
            if isDir.boolValue {
                let base = url.lastPathComponent
                guard let walker = fm.enumerator(at: url, includingPropertiesForKeys: [.isRegularFileKey]) else { continue }
                for case let file as URL in walker where (try? file.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true {
                    let relative = String(file.standardizedFileURL.path.dropFirst(url.path.count + 1))
                    files.append(try add(file, as: "\(base)/\(relative)", blobs))
                }
            } else {
                files.append(try add(url, as: url.lastPathComponent, blobs))
            }
        }
        guard !files.isEmpty else { throw StoreError.invalidInput("no files found in \(paths.joined(separator: ", "))") }
        return files.sorted { $0.path < $1.path }
    }

    private static func add(_ url: URL, as name: String, _ blobs: BlobStore) throws -> ArtifactFile {
        guard ArtifactFile.isSafePath(name) else { throw StoreError.invalidInput("'\(name)' is not a safe relative path") }
        let (hash, size) = try blobs.put(file: url)
        return ArtifactFile(path: name, sha256: hash, size: size)
    }
}

/// Starts a run the way `run start` and `run --experiment ... -- COMMAND` both do: creates the
/// experiment if needed and records git state, host and environment fingerprint.
enum RunStarter {
    static func start(_ session: Session, signer: SigningKey, experiment: String, name: String, command: String?) throws -> LedgerID {
        let experimentID = EntityID.experiment(team: try session.team(), name: experiment)
        var drafts = [Ledger.Draft]()
        if (try? session.ledger.experimentID(named: experiment)) == nil {
            drafts.append(try .init(ExperimentCreate(name: experiment)))
        }
        let git = GitState.current()
        drafts.append(
            try .init(
                RunStart(
                    experiment: experimentID, name: name, gitCommit: git?.commit, gitDirty: git?.dirty, command: command,
                    host: ProcessInfo.processInfo.hostName, environment: EnvironmentFingerprint.current(),
                    startTime: Int64(wallClockMs()))))
        let events = try session.ledger.append(drafts, signer: signer)
        let run = events[events.count - 1].id
        // Started by a monitoring rule (`mledger monitor watch`): the run names the alert that started it.
        if let alert = ProcessInfo.processInfo.environment["MLEDGER_ALERT"], LedgerID(hex: alert) != nil {
            try session.ledger.append(try Ledger.Draft(RunTags(run: run, tags: ["mledger.alert": alert])), signer: signer)
        }
        return run
    }
}
