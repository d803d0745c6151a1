import Foundation
import LedgerStore
import LedgerTestSupport
import Testing

/// A relay restored from a backup of its data folder has lost the end of its history, log and arrival
/// order included; its operator starts a new log under a new key (`mledger-relay new-log`). Each member's
/// sync stops with `log_key_changed`, and `mledger sync --forget-relay-log` (the member accepting the
/// restored relay) pushes back what it lost, pulls everything again and pins the new log. The team
/// converges with nothing lost, and no cosignature of the old log is held against the new one.
@Suite struct RelayRestoreTests {
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
        let newLog = try RelayProcess.command(["new-log", "--data", fixture.relay.data.path])
        #expect(newLog.status == 0 && newLog.stdout.contains("--forget-relay-log"), "\(newLog.stderr)")
        try fixture.relay.start(port: fixture.relay.port)

        try alice.ok("experiment", "create", "after-the-restore")
        for member in [alice, bob] {
            let stopped = try member.run("sync")
            #expect(!stopped.ok && stopped.stderr.contains("log_key_changed"), "\(stopped.stderr)")
            try member.ok("sync", "--forget-relay-log")
        }
        try alice.ok("sync")
        try bob.ok("sync")
        try alice.ok("sync")

        let names = try #require(try bob.json("experiment", "list") as? [[String: Any]]).compactMap { $0["name"] as? String }
        #expect(Set(names).isSuperset(of: ["kept", "lost-in-the-restore", "bobs-lost-too", "after-the-restore"]))
        #expect(try fixture.relayEventCount() == alice.eventCount() && bob.eventCount() == alice.eventCount())
        #expect(try fixture.digest(bob) == fixture.digest(alice) && fixture.digest(alice) == fixture.relayDigest())
        for member in [alice, bob] {
            #expect(try Ledger(path: member.database).logEvidence().map(\.code) == ["log_key_changed"], "only what stopped the first sync")
            #expect(try member.ok("verify", "--relay").contains("receipt"), "the receipts of re-pushed events prove out")
            let relays = try #require((try member.json("audit", "--relay") as? [String: Any])?["relays"] as? [[String: Any]])
            let witnesses = relays.flatMap { $0["witnesses"] as? [[String: Any]] ?? [] }
            #expect(!witnesses.isEmpty && witnesses.allSatisfy { $0["consistent"] as? Bool != false }, "\(witnesses)")
        }
    }
}
