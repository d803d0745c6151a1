import Foundation
import LedgerTestSupport
import Testing

/// Relay log keys announced by an admin (SPEC 6.17): once one is announced, members trust no other log
/// key, at first sight too, and a relay under another key stops the sync with evidence.
@Suite struct RelayAnnouncementTests {
    func relays(_ cli: CLI) throws -> [[String: Any]] {
        try #require((try cli.json("audit", "--relay") as? [String: Any])?["relays"] as? [[String: Any]])
    }

    @Test func onlyAnnouncedLogKeysAreTrusted() throws {
        let fixture = try TeamFixture()
        let bob = try fixture.join("Bob", role: "writer")
        let refused = try bob.run("team", "announce-relay")
        #expect(!refused.ok && refused.stderr.contains("admin"), "a writer cannot announce: \(refused.stderr)")

        try fixture.admin.ok("team", "announce-relay")
        try fixture.admin.ok("sync")
        try bob.ok("sync")
        #expect(try relays(bob).first?["announced"] as? Bool == true)

        // A second relay for the same team, under a key nobody announced: Bob's first sync with it stops
        // before pinning it, and names why.
        let other = try RelayProcess(team: fixture.team)
        try bob.ok("remote", "add", "other", other.url)
        let stopped = try bob.run("sync", "other")
        #expect(!stopped.ok && stopped.stderr.contains("log_key_unannounced"), "\(stopped.stderr)")
        let audit = try #require(try bob.json("audit", "--relay") as? [String: Any])
        #expect((audit["evidence"] as? [[String: Any]])?.map { $0["code"] as? String } == ["log_key_unannounced"])
        #expect(try relays(bob).first { $0["remote"] as? String == "other" }?["logKey"] == nil, "nothing pinned")

        // Once an admin announces it too (the key the relay gives, as the admin has not synced with it),
        // both sync with it.
        try fixture.admin.ok("remote", "add", "other", other.url)
        try fixture.admin.ok("team", "announce-relay", "--remote", "other")
        try fixture.admin.ok("sync", "origin")
        try fixture.admin.ok("sync", "other")
        try bob.ok("sync", "origin")
        try bob.ok("sync", "other")
        #expect(try relays(bob).allSatisfy { $0["announced"] as? Bool == true })
        #expect(try relays(fixture.admin).allSatisfy { $0["announced"] as? Bool == true })
    }
}
