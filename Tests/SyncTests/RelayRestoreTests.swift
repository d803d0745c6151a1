import Foundation
import LedgerStore
import LedgerTestSupport
import Testing

/// A relay restored from a backup of its data folder has lost the end of its history, log and arrival
/// order included. Members' pushes give back what it lost; a member whose view of the relay no longer
/// holds is stopped with evidence rather than left missing events, and `mledger sync --forget-relay-log`
/// (each member accepting the restored relay, once its operator says so) pulls everything again, pins
/// its log anew and sets aside cosignatures made on the old log. The team converges with nothing lost.
@Suite struct RelayRestoreTests {
    static let restoreCodes: Set<String> = ["log_rolled_back", "inconsistent_checkpoint", "events_withheld", "page_out_of_order", "split_view"]

    @Test func aRestoredRelayLosesNothingOnceItsMembersAcceptIt() throws {
        let fixture = try TeamFixture()
        let (alice, bob) = (fixture.admin, try fixture.join("Bob", role: "writer"))
        try alice.ok("experiment", "create", "kept")
        try alice.ok("sync")
        try bob.ok("sync")
        let backup = FileManager.default.temporaryDirectory.appendingPathComponent("mledger-backup-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: backup) }
        fixture.relay.stop()
        try FileManager.default.copyItem(at: fixture.relay.data, to: backup)
        try fixture.relay.start(port: fixture.relay.port)

        try alice.ok("experiment", "create", "lost-in-the-restore")
        try alice.ok("sync")
        try bob.ok("experiment", "create", "bobs-lost-too")
        try bob.ok("sync")
        fixture.relay.stop()
        try FileManager.default.removeItem(at: fixture.relay.data)
        try FileManager.default.copyItem(at: backup, to: fixture.relay.data)
        try fixture.relay.start(port: fixture.relay.port)

        // Alice pushes what she has of what the relay lost, and something new, which lands below Bob's
        // pull cursor: Bob must be told rather than miss it.
        try alice.ok("experiment", "create", "after-the-restore")
        var stopped = [String: Bool]()
        for (name, member) in [("alice", alice), ("bob", bob)] {
            let sync = try member.run("sync")
            stopped[name] = !sync.ok
            #expect(sync.ok || Self.restoreCodes.contains { sync.stderr.contains($0) }, "\(name): \(sync.stderr)")
        }
        #expect(stopped["bob"] == true, "Bob's view of the relay went back in time")
        // The operator tells the team the relay was restored; each member accepts it once.
        try alice.ok("sync", "--forget-relay-log")
        try bob.ok("sync", "--forget-relay-log")
        try alice.ok("sync")
        try bob.ok("sync")
        try alice.ok("sync")

        let names = try #require(try bob.json("experiment", "list") as? [[String: Any]]).compactMap { $0["name"] as? String }
        #expect(Set(names).isSuperset(of: ["kept", "lost-in-the-restore", "bobs-lost-too", "after-the-restore"]))
        #expect(try fixture.relayEventCount() == alice.eventCount() && bob.eventCount() == alice.eventCount())
        #expect(try fixture.digest(bob) == fixture.digest(alice) && fixture.digest(alice) == fixture.relayDigest())
        for member in [alice, bob] {
            let codes = try Ledger(path: member.database).logEvidence().map(\.code)
            #expect(codes.count <= 1 && codes.allSatisfy(Self.restoreCodes.contains), "only what stopped the first sync: \(codes)")
            #expect(try member.ok("verify", "--relay").contains("receipt"), "the receipts of re-pushed events prove out")
        }
    }
}
