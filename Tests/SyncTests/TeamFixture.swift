import Foundation
import GRDB
import LedgerProtocol
import LedgerStore
import LedgerTestSupport
import Testing

/// A relay and an admin workspace synced to it; members join with `join`.
final class TeamFixture: @unchecked Sendable {
    let relay: RelayProcess
    let admin: CLI
    let team: String

    init(relayArguments: [String] = []) throws {
        admin = try CLI()
        try admin.ok("init", "--team", "vision", "--name", "Alice")
        team = try Self.team(of: admin)
        relay = try RelayProcess(team: team, extraArguments: relayArguments)
        try admin.ok("remote", "add", "origin", relay.url)
        try admin.ok("sync")
    }

    static func team(of cli: CLI) throws -> String {
        let audit = try #require(try cli.json("audit") as? [String: Any])
        let entries = try #require(audit["entries"] as? [[String: Any]])
        return try #require(entries.first?["event"] as? String)
    }

    static func publicKey(of cli: CLI) throws -> String {
        try #require((try cli.json("identity", "show") as? [String: Any])?["publicKey"] as? String)
    }

    static func signingKey(of cli: CLI) throws -> SigningKey {
        try IdentityStore(directory: cli.config).load { nil }
    }

    /// A new member: identity created, added by the admin with `role`, workspace joined through the relay.
    func join(_ name: String, role: String) throws -> CLI {
        let member = try CLI()
        try member.ok("identity", "create", "--name", name)
        try admin.ok("team", "add", try Self.publicKey(of: member), "--role", role, "--name", name)
        try admin.ok("sync")
        try member.ok("init", "--join", relay.url)
        return member
    }

    /// The admin runs `protect` (an alias's or an environment's protection), registers `digits` with one
    /// version and syncs; then Bob joins as a writer, to try what the protection forbids him.
    func writerBesideProtected(_ protect: String...) throws -> CLI {
        let protected = try admin.execute(protect)
        #expect(protected.ok, "mledger \(protect.joined(separator: " ")) failed: \(protected.stderr)")
        try admin.ok("model", "create", "digits")
        let run = try admin.initRunInExistingWorkspace()
        try admin.ok("model", "version", "create", "digits", "--run", run)
        try admin.ok("sync")
        return try join("Bob", role: "writer")
    }

    func digest(_ cli: CLI) throws -> String { try Self.digest(cli) }

    /// The view digest `mledger verify` reports for a workspace.
    static func digest(_ cli: CLI) throws -> String {
        try #require((try cli.json("verify") as? [String: Any])?["digest"] as? String)
    }

    func relayDigest() throws -> String {
        try Ledger(path: relay.database).projectionDigest().hex
    }

    func relayEventCount() throws -> Int {
        try Ledger(path: relay.database).eventCount()
    }
}

/// Counts a ledger's events read-only, while its owner may still be creating or writing it.
enum LedgerCount {
    static func events(at path: String) throws -> Int {
        guard FileManager.default.fileExists(atPath: path) else { return 0 }
        var config = Configuration()
        config.readonly = true
        let db = try DatabaseQueue(path: path, configuration: config)
        return try db.read { try Int.fetchOne($0, sql: "SELECT count(*) FROM events") } ?? 0
    }
}

/// Requests signed as `mledger sync` signs them, for a relay and team as the relay announces them.
enum Signed {
    /// What `GET /v1/relay` says (unsigned): the relay's id, its team and its log key.
    static func announcement(of relay: RelayProcess) throws -> [String: Any] {
        let connection = try RawConnection(port: relay.port, timeout: 10)
        defer { connection.close() }
        try connection.send("GET", "/v1/relay", headers: [("Connection", "close")])
        let head = try #require(try connection.readHead())
        var body = [UInt8]()
        try connection.drain(Int(head.headers["content-length"] ?? "") ?? 0, after: head.start) { body += $0 }
        return try #require(try JSONSerialization.jsonObject(with: Data(body)) as? [String: Any])
    }

    /// The relay's id and its team, as requests are signed for them.
    static func audience(of relay: RelayProcess) throws -> RequestSignature.Audience {
        let json = try announcement(of: relay)
        let relayID = try #require((json["relay"] as? String).flatMap(Hex.decode))
        return RequestSignature.Audience(relay: relayID, team: (json["team"] as? String).flatMap(LedgerID.init(hex:)))
    }

    static func headers(
        _ method: String, _ target: String, body: [UInt8] = [], key: SigningKey,
        for audience: RequestSignature.Audience
    ) -> [(String, String)] {
        RequestSignature.headers(method: method, target: target, bodySHA256: Hashing.sha256(body), audience: audience, key: key, nowMs: wallClockMs())
    }

    static func headers(_ method: String, _ target: String, body: [UInt8] = [], key: SigningKey, relay: RelayProcess) throws -> [(String, String)] {
        headers(method, target, body: body, key: key, for: try audience(of: relay))
    }
}
