import Foundation

/// A throwaway PostgreSQL cluster for tests, benchmarks and the torture suite: `initdb` into a temporary
/// folder, `postgres` on a free port of 127.0.0.1 with password-less access for one user, removed when
/// stopped. PostgreSQL refuses to run as root, so as root the folder is given to the `postgres` user
/// (made by Debian's package) and every command runs through `runuser -u postgres --`.
///
/// The server runs under a small watchdog shell that ends it (fast shutdown) when the process that
/// started it is gone, so even a test run that crashes leaves no server behind.
public final class PostgresCluster: @unchecked Sendable {
    public let folder: URL
    public let port: Int
    public let user = "mledger"
    private let bin: URL
    private var server: ProcessGroup?
    private var databases = 0
    private let lock = NSLock()

    /// What is missing, said so that the fix is clear.
    public struct Unavailable: Error, CustomStringConvertible {
        public var description: String
    }

    /// One cluster for the whole test process, started on first use and stopped when the process exits.
    public static func shared() throws -> PostgresCluster {
        sharedLock.lock()
        defer { sharedLock.unlock() }
        if let sharedCluster { return sharedCluster }
        let started = try PostgresCluster()
        sharedCluster = started
        atexit {
            PostgresCluster.sharedLock.lock()
            PostgresCluster.sharedCluster?.stop()
            PostgresCluster.sharedLock.unlock()
        }
        return started
    }

    private static let sharedLock = NSLock()
    // Guarded by `sharedLock`.
    nonisolated(unsafe) private static var sharedCluster: PostgresCluster?

    /// Makes and starts a cluster; `durable: false` (tests) skips fsync, which a crash of PostgreSQL
    /// itself would need but a killed relay does not.
    public init(durable: Bool = false) throws {
        bin = try Self.binaries()
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("mledger-pg-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        port = freePort()
        try giveToServerUser(folder)
        let initdb = try run(
            "initdb", ["-D", data.path, "-U", user, "--auth=trust", "-E", "UTF8", "--no-sync", "--no-instructions"])
        guard initdb.status == 0 else { throw Unavailable(description: "initdb failed: \(initdb.output)") }
        var settings = ["listen_addresses = '127.0.0.1'", "port = \(port)", "unix_socket_directories = '\(folder.path)'", "max_connections = 400"]
        if !durable { settings += ["fsync = off", "synchronous_commit = off", "full_page_writes = off"] }
        // Keeps the WAL files `warmUp` wrote for reuse, as a server that has run for a while has them.
        if durable { settings += ["min_wal_size = 1GB", "max_wal_size = 2GB"] }
        let conf = data.appendingPathComponent("postgresql.conf")
        let handle = try FileHandle(forWritingTo: conf)
        handle.seekToEndOfFile()
        handle.write(Data(("\n" + settings.joined(separator: "\n") + "\n").utf8))
        try handle.close()
        try start()
    }

    private var data: URL { folder.appendingPathComponent("data") }

    /// Brings a fresh cluster to the state of one that has been running (for benchmarks): a fresh one
    /// creates and zero-fills every WAL file and touches its shared memory for the first time, work a
    /// running server did long ago. Writes about `megabytes` of WAL in a scratch database, then a
    /// checkpoint keeps those files for reuse.
    public func warmUp(megabytes: Int = 400) throws {
        try sql("CREATE DATABASE warm_up")
        try sql(
            "CREATE TABLE w AS SELECT g, repeat(md5(g::text), 16) AS filler FROM generate_series(1, \(megabytes * 1024 * 1024 / 600)) g",
            database: "warm_up")
        try sql("DROP DATABASE warm_up")
        try sql("CHECKPOINT")
    }

    /// The database name in an address this cluster made.
    public static func name(in address: String) -> String { String(address.split(separator: "/").last ?? "") }

    /// The address a relay's `--database` takes for database `name`.
    public func address(_ name: String) -> String { "postgres://\(user)@127.0.0.1:\(port)/\(name)" }

    /// A new empty database, named uniquely within this cluster; returns its address.
    public func createDatabase(prefix: String = "relay") throws -> String {
        let name = lock.withLock {
            databases += 1
            return "\(prefix)_\(databases)"
        }
        try sql("CREATE DATABASE \(name)")
        return address(name)
    }

    /// Runs one SQL statement as the cluster's user (in database `postgres` unless told otherwise).
    @discardableResult
    public func sql(_ statement: String, database: String = "postgres") throws -> String {
        let result = try run("psql", ["-X", "-q", "-t", "-A", "-h", "127.0.0.1", "-p", String(port), "-U", user, "-d", database, "-c", statement])
        guard result.status == 0 else { throw Unavailable(description: "psql '\(statement)' failed: \(result.output)") }
        return result.output.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Starts the server (again, after `stop(keepingData: true)`) and waits until it accepts connections.
    public func start() throws {
        let parent = getpid()
        let postgres = bin.appendingPathComponent("postgres").path
        let watchdog = """
            "\(postgres)" -D "\(data.path)" >> "\(folder.path)/server.log" 2>&1 & pg=$!
            trap 'kill -INT $pg; wait $pg; exit 0' TERM INT
            while [ -d /proc/\(parent) ] && kill -0 $pg 2>/dev/null; do sleep 0.5; done
            kill -INT $pg 2>/dev/null; wait $pg
            """
        let p = Process()
        (p.executableURL, p.arguments) = command("/bin/sh", ["-c", watchdog])
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        server = try ProcessGroup(starting: p)
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline {
            if try run("pg_isready", ["-q", "-h", "127.0.0.1", "-p", String(port)]).status == 0 { return }
            Thread.sleep(forTimeInterval: 0.1)
        }
        let log = (try? String(contentsOf: folder.appendingPathComponent("server.log"), encoding: .utf8)) ?? ""
        throw Unavailable(description: "PostgreSQL did not start on port \(port) within 60 s: \(log.suffix(2000))")
    }

    /// Fast shutdown (clients are disconnected, the server stops cleanly); without `keepingData` the
    /// folder is removed as well.
    public func stop(keepingData: Bool = false) {
        if let server {
            _ = try? run("pg_ctl", ["-D", data.path, "-m", "fast", "-w", "stop"])
            server.end(seconds: 10)
        }
        server = nil
        if !keepingData { try? FileManager.default.removeItem(at: folder) }
    }

    deinit { stop() }

    /// The folder with `initdb`, `postgres`, `pg_ctl`, `psql` and `pg_isready` (Debian keeps them by major version).
    static func binaries() throws -> URL {
        let versions = (try? FileManager.default.contentsOfDirectory(atPath: "/usr/lib/postgresql")) ?? []
        for version in versions.sorted(by: { (Int($0) ?? 0) > (Int($1) ?? 0) }) {
            let dir = URL(fileURLWithPath: "/usr/lib/postgresql/\(version)/bin")
            if ["initdb", "postgres", "pg_ctl", "psql", "pg_isready"].allSatisfy({
                FileManager.default.isExecutableFile(atPath: dir.appendingPathComponent($0).path)
            }) {
                return dir
            }
        }
        throw Unavailable(
            description: "PostgreSQL's server programs (initdb, postgres) are not installed in /usr/lib/postgresql/VERSION/bin: "
                + "run `make deps` (installs Debian's postgresql package)")
    }

    private var asRoot: Bool { getuid() == 0 }

    /// As root, the command runs as the `postgres` user.
    private func command(_ executable: String, _ arguments: [String]) -> (URL, [String]) {
        asRoot
            ? (URL(fileURLWithPath: "/usr/sbin/runuser"), ["-u", "postgres", "--", executable] + arguments)
            : (URL(fileURLWithPath: executable), arguments)
    }

    private func giveToServerUser(_ folder: URL) throws {
        guard asRoot else { return }
        guard let account = getpwnam("postgres") else {
            throw Unavailable(description: "there is no `postgres` user to run PostgreSQL as (it refuses root): run `make deps`")
        }
        guard chown(folder.path, account.pointee.pw_uid, account.pointee.pw_gid) == 0 else {
            throw Unavailable(description: "cannot give \(folder.path) to the postgres user: \(String(cString: strerror(errno)))")
        }
    }

    private func run(_ tool: String, _ arguments: [String]) throws -> (status: Int32, output: String) {
        let p = Process()
        (p.executableURL, p.arguments) = command(bin.appendingPathComponent(tool).path, arguments)
        p.currentDirectoryURL = folder
        let out = Pipe()
        p.standardOutput = out
        p.standardError = out
        try p.run()
        let text = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: text, as: UTF8.self))
    }
}
