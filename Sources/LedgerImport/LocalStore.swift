import Foundation

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
#if canImport(Glibc)
import Glibc
#endif

/// A local MLflow store (an `mlruns/` folder or an `sqlite:///` URI) served on 127.0.0.1 by a private
/// `mlflow server` that MLflow itself runs on it, so every store layout and schema version MLflow can
/// open imports through the same REST reader. The server runs in its own process group, led by a shell
/// that ends the group when this process is gone, even after a kill -9.
public final class LocalMLflowServer: @unchecked Sendable {
    let group: pid_t
    public let uri: String
    /// The store as the provenance names it: `sqlite:////absolute/path` or `file:///absolute/folder`.
    public let store: String
    /// The SQLite file of an `sqlite:///` store.
    let sqlitePath: String?

    /// Whether `uri` names a local store rather than a tracking server.
    public static func isLocal(_ uri: String) -> Bool {
        uri.hasPrefix("sqlite:") || uri.hasPrefix("file:") || !uri.contains("://")
    }

    /// - Parameter artifacts: where the store's `mlflow-artifacts:/` files are (the original server's
    ///   `--artifacts-destination`); MLflow's default (`./mlartifacts`) when nil.
    public init(
        store location: String, artifacts: String?, mlflow: String?, environment: [String: String] = ProcessInfo.processInfo.environment
    ) async throws {
        let cwd = FileManager.default.currentDirectoryPath
        let backend: String
        if location.hasPrefix("sqlite:///") {
            let path = String(location.dropFirst("sqlite:///".count))
            let absolute = path.hasPrefix("/") ? path : cwd + "/" + path
            guard FileManager.default.fileExists(atPath: absolute) else {
                throw ImportError.invalidOption("no MLflow SQLite store at \(absolute)")
            }
            backend = "sqlite:///" + absolute
            store = backend
            sqlitePath = absolute
        } else {
            let path = location.hasPrefix("file://") ? String(location.dropFirst("file://".count)) : location
            let absolute = URL(fileURLWithPath: path, relativeTo: URL(fileURLWithPath: cwd + "/")).standardizedFileURL.path
            var isDir: ObjCBool = false
            guard FileManager.default.fileExists(atPath: absolute, isDirectory: &isDir), isDir.boolValue else {
                throw ImportError.invalidOption("no MLflow store folder (mlruns/) at \(absolute)")
            }
            backend = "file://" + absolute
            store = backend
            sqlitePath = nil
        }
        guard let mlflow = mlflow ?? Self.find("mlflow", environment["PATH"] ?? "") else {
            throw ImportError.invalidOption(
                "reading a local MLflow store needs MLflow's own `mlflow` command: install it (pip install mlflow) or set MLEDGER_MLFLOW to it")
        }
        let port = try Self.freePort()
        uri = "http://127.0.0.1:\(port)"
        // The shell leads the group: it starts the server, and ends the group once its parent (us) is gone.
        // MLflow 3 serves an mlruns/ folder only when asked to: reading one is what a migration is for.
        let script = """
            trap '' TERM
            MLFLOW_ALLOW_FILE_STORE=true "$0" server --backend-store-uri "$1" --host 127.0.0.1 --port "$2" --workers 1 --artifacts-destination "$4" >/dev/null 2>&1 &
            while kill -0 "$3" 2>/dev/null; do sleep 1; done
            kill -TERM 0; sleep 5; kill -KILL 0
            """
        let destination = URL(fileURLWithPath: artifacts ?? "mlartifacts", relativeTo: URL(fileURLWithPath: cwd + "/")).standardizedFileURL.path
        group = try Self.spawn(["/bin/sh", "-c", script, mlflow, backend, String(port), String(getpid()), destination], in: cwd)
        do { try await waitHealthy(seconds: 180) } catch {
            stop()
            throw error
        }
    }

    /// The store as an import reads it: through the private server, and an SQLite store's metric
    /// histories straight from its file.
    public func source() throws -> RESTSource {
        try RESTSource(uri: uri, name: store, localHistory: try sqlitePath.flatMap { try SQLiteMetricHistory(path: $0) })
    }

    static func find(_ name: String, _ path: String) -> String? {
        path.split(separator: ":").map { "\($0)/\(name)" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, len) } }
        _ = withUnsafeMutablePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) } }
        guard bound == 0 else { throw ImportError.invalidOption("cannot find a free port on 127.0.0.1 for a local mlflow server") }
        return Int(UInt16(bigEndian: addr.sin_port))
    }

    /// Starts a command as the leader of a new process group, with no signals blocked.
    static func spawn(_ command: [String], in directory: String) throws -> pid_t {
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        posix_spawnattr_setpgroup(&attributes, 0)
        var none = sigset_t()
        sigemptyset(&none)
        posix_spawnattr_setsigmask(&attributes, &none)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK))
        let argv = command.map { strdup($0) } + [nil]
        let env = ProcessInfo.processInfo.environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { for p in argv + env { free(p) } }
        var pid = pid_t()
        let code = posix_spawn(&pid, command[0], nil, &attributes, argv, env)
        guard code == 0 else { throw ImportError.invalidOption("cannot start \(command[0]): \(String(cString: strerror(code)))") }
        return pid
    }

    func waitHealthy(seconds: Double) async throws {
        let deadline = Date().addingTimeInterval(seconds)
        guard let url = URL(string: uri + "/health") else { return }
        while Date() < deadline {
            var status: Int32 = 0
            if waitpid(group, &status, WNOHANG) == group {
                throw ImportError.invalidOption("mlflow server could not open the store \(store)")
            }
            if let (_, response) = try? await URLSession.shared.data(from: url), (response as? HTTPURLResponse)?.statusCode == 200 { return }
            try await Task.sleep(nanoseconds: 300_000_000)
        }
        throw ImportError.invalidOption("mlflow server did not start on the store \(store) within \(Int(seconds)) s")
    }

    /// Ends the server and everything it started (uvicorn, job consumers).
    public func stop() {
        kill(-group, SIGTERM)
        var status: Int32 = 0
        for _ in 0..<100 {
            if waitpid(group, &status, WNOHANG) == group || kill(-group, 0) != 0 { break }
            usleep(100_000)
        }
        kill(-group, SIGKILL)
        _ = waitpid(group, &status, 0)
    }
}
