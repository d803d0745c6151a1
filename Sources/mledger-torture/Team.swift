import Foundation
import LedgerProcesses
import LedgerProtocol
import LedgerStore

/// A relay on 127.0.0.1 and an admin's laptop synced to it; members join through the relay.
final class Team: @unchecked Sendable {
    let root: URL
    let relay: RelayProcess
    let admin: CLIProcess
    let id: LedgerID

    init(root: URL, relayArguments: [String] = []) throws {
        self.root = root
        admin = try CLIProcess(parent: root)
        try admin.succeed(["init", "--team", "torture", "--name", "Admin"])
        id = try Self.team(of: admin)
        relay = try RelayProcess(team: id.hex, data: root.appendingPathComponent("relay"), extraArguments: relayArguments)
        try admin.succeed(["remote", "add", "origin", relay.url])
        try admin.succeed(["sync"])
    }

    /// The admin starts a run in experiment "setup", creates model "digits" with version 1 from it, and
    /// syncs; returns the run id.
    @discardableResult
    func createModel() throws -> String {
        let run = try admin.succeed(["run", "start", "--experiment", "setup"]).trimmed
        try admin.succeed(["model", "create", "digits"])
        try admin.succeed(["model", "version", "create", "digits", "--run", run])
        try admin.succeed(["sync"])
        return run
    }

    static func team(of cli: CLIProcess) throws -> LedgerID {
        guard let team = try Ledger(path: cli.database, cacheMiB: 2).team() else { throw TortureError("\(cli.root.path) has no team") }
        return team
    }

    static func publicKey(of cli: CLIProcess) throws -> PublicKey {
        guard let hex = (try cli.jsonOutput(["identity", "show"]) as? [String: Any])?["publicKey"] as? String,
            let key = PublicKey(hex: hex)
        else { throw TortureError("`mledger identity show --json` printed no public key") }
        return key
    }

    static func signingKey(of cli: CLIProcess) throws -> SigningKey {
        try IdentityStore(directory: cli.config).load { nil }
    }

    /// New members: identities created, all added by the admin with `role` in one sync, then each
    /// workspace joined through the relay (the joins run at once).
    func join(_ count: Int, role: String, prefix: String = "member", through url: String? = nil) throws -> [CLIProcess] {
        let members = try (0..<count).map { _ in try CLIProcess(parent: root) }
        for (i, member) in members.enumerated() {
            try member.succeed(["identity", "create", "--name", "\(prefix)-\(i)"])
            try admin.succeed(["team", "add", try Self.publicKey(of: member).hex, "--role", role, "--name", "\(prefix)-\(i)"])
        }
        try admin.succeed(["sync"])
        let url = url ?? relay.url
        let errors = Workers.run(members.count) { i in _ = try members[i].succeed(["init", "--join", url]) }
        if let first = errors.first { throw first }
        return members
    }

    /// The relay's ledger, opened beside the running relay (SQLite in WAL mode allows it).
    func relayLedger() throws -> Ledger { try Ledger(path: relay.database, cacheMiB: 4) }
}

/// A failed step of the suite, with a message that says what was going on.
struct TortureError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// Runs work on threads of its own, so that many client processes really run at once.
enum Workers {
    /// Runs `body` for 0..<count concurrently and waits; returns the errors thrown.
    static func run(_ count: Int, _ body: @escaping @Sendable (Int) throws -> Void) -> [any Error] {
        let group = DispatchGroup()
        let errors = Locked([any Error]())
        for i in 0..<count {
            group.enter()
            Thread.detachNewThread {
                defer { group.leave() }
                do { try body(i) } catch { errors.mutate { $0.append(error) } }
            }
        }
        group.wait()
        return errors.value
    }
}

/// A value shared by worker threads.
final class Locked<Value>: @unchecked Sendable {
    private var stored: Value
    private let lock = NSLock()
    init(_ value: Value) { stored = value }
    var value: Value { lock.withLock { stored } }
    func mutate<R>(_ change: (inout Value) -> R) -> R { lock.withLock { change(&stored) } }
}

extension String {
    var trimmed: String { trimmingCharacters(in: .whitespacesAndNewlines) }
}
