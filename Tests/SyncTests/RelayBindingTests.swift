import Foundation
import LedgerProtocol
import LedgerStore
import LedgerTestSupport
import Testing

/// A signed request is good for one relay of one team, once (issue 22, finding 8): captured on its way
/// to relay A, it is refused by relay B of the same team, and by A the second time.
@Suite struct RelayBindingTests {
    func status(_ relay: RelayProcess, _ target: String, _ headers: [(String, String)]) throws -> Int {
        let connection = try RawConnection(port: relay.port, timeout: 10)
        defer { connection.close() }
        try connection.send("GET", target, headers: headers + [("Connection", "close")])
        return try #require(try connection.readHead()).status
    }

    @Test func aRequestForOneRelayIsRefusedByAnother() throws {
        let fixture = try TeamFixture()
        let second = try RelayProcess(team: fixture.team)
        try fixture.admin.ok("remote", "add", "second", second.url)
        try fixture.admin.ok("sync", "second")
        let alice = try TeamFixture.signingKey(of: fixture.admin)

        let first = try Signed.audience(of: fixture.relay)
        let other = try Signed.audience(of: second)
        #expect(first.team == other.team && first.team?.hex == fixture.team)
        #expect(first.relay != other.relay)

        let captured = Signed.headers("GET", "/v1/frontier", key: alice, for: first)
        #expect(try status(second, "/v1/frontier", captured) == 401, "a request signed for relay A must not pass at relay B")
        #expect(try status(fixture.relay, "/v1/frontier", captured) == 200)
        #expect(try status(fixture.relay, "/v1/frontier", captured) == 401, "the same request twice is a replay")

        // Signed for this relay but another team: refused.
        let otherTeam = RequestSignature.Audience(relay: first.relay, team: Hashing.blake2b256(Array("another team".utf8)))
        #expect(try status(fixture.relay, "/v1/frontier", Signed.headers("GET", "/v1/frontier", key: alice, for: otherTeam)) == 401)
    }

    /// The relay keeps its id across a restart: requests signed for it before still name it.
    @Test func theRelayIdSurvivesARestart() throws {
        let fixture = try TeamFixture()
        let before = try Signed.audience(of: fixture.relay)
        fixture.relay.stop()
        try fixture.relay.start(port: fixture.relay.port)
        #expect(try Signed.audience(of: fixture.relay) == before)
        try fixture.admin.ok("sync")
    }

    /// A workspace of one team refuses a relay that announces another, and says so.
    @Test func aClientRefusesARelayOfAnotherTeam() throws {
        let fixture = try TeamFixture()
        let stranger = try CLI()
        try stranger.ok("init", "--team", "other", "--name", "Eve")
        try stranger.ok("remote", "add", "origin", fixture.relay.url)
        let refused = try stranger.run("sync")
        #expect(!refused.ok)
        #expect(refused.stderr.contains("but the relay serves team"), "\(refused.stderr)")
    }
}
