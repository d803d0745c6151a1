import Foundation
import LedgerTestSupport
import Testing

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

@Suite struct RelayCrashTests {
    func acceptedSoFar(_ relay: RelayProcess) -> Int {
        guard let url = URL(string: relay.url + "/metrics"), let text = try? String(contentsOf: url, encoding: .utf8),
            let line = text.split(separator: "\n").first(where: { $0.hasPrefix("mledger_events_accepted_total") })
        else { return 0 }
        return Int(Double(line.split(separator: " ").last ?? "") ?? 0)
    }

    /// The relay is killed with SIGKILL in the middle of a large push; after a restart the next sync
    /// completes with nothing lost and nothing duplicated.
    @Test func relayKilledMidPushLosesNothing() throws {
        let fixture = try TeamFixture()
        let alice = fixture.admin
        let run = try alice.initRunInExistingWorkspace()
        // More than one push holds (10,000 events): the first answered push shows in the metrics while the
        // second is still being stored, a wide window for the kill even on a busy machine.
        let lines = cliLines(count: 16_000)
        let file = alice.root.appendingPathComponent("points.jsonl")
        try lines.write(to: file, atomically: true, encoding: .utf8)
        try alice.ok("run", "log-batch", run, "--file", file.path, "--batch-size", "1")
        let total = try alice.eventCount()
        #expect(total > 16_000)

        let sync = alice.process(["sync"])
        sync.standardOutput = FileHandle.nullDevice
        sync.standardError = FileHandle.nullDevice
        try sync.run()
        var seen = 0
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline {
            seen = acceptedSoFar(fixture.relay)
            if seen > 0 { break }
            usleep(2000)
        }
        fixture.relay.kill9()
        sync.waitUntilExit()
        #expect(seen > 0 && seen < total, "the kill must land mid-push (accepted \(seen) of \(total))")
        #expect(sync.terminationStatus != 0)

        let stored = try fixture.relayEventCount()
        #expect(stored < total)
        try fixture.relay.start(port: fixture.relay.port)
        try alice.ok("sync")
        // Every event, and Alice's cosignature of the checkpoint that holds them.
        #expect(try fixture.relayEventCount() == total + 1)
        #expect(try fixture.relayDigest() == fixture.digest(alice))
        #expect(try alice.ok("verify").contains("OK:"))
    }

    func cliLines(count: Int) -> String {
        (1...count).map { "{\"key\":\"loss\",\"value\":\(1.0 / Double($0)),\"step\":\($0)}" }.joined(separator: "\n")
    }
}

@Suite struct InterruptedSyncTests {
    /// A client killed with SIGKILL in the middle of a large pull resumes where it stopped: the next sync
    /// completes with every event exactly once and a verifiable ledger.
    @Test func clientKilledMidPullResumesWithoutDuplicates() throws {
        let fixture = try TeamFixture()
        let run = try fixture.admin.initRunInExistingWorkspace()
        let file = fixture.admin.root.appendingPathComponent("points.jsonl")
        try (1...12_000).map { "{\"key\":\"loss\",\"value\":\($0),\"step\":\($0)}" }.joined(separator: "\n")
            .write(to: file, atomically: true, encoding: .utf8)
        try fixture.admin.ok("run", "log-batch", run, "--file", file.path, "--batch-size", "1")
        try fixture.admin.ok("sync")
        let bob = try CLI()
        try bob.ok("identity", "create", "--name", "Bob")
        try fixture.admin.ok("team", "add", try TeamFixture.publicKey(of: bob), "--role", "reader")
        try fixture.admin.ok("sync")
        let total = try fixture.relayEventCount()
        let joining = bob.process(["init", "--join", fixture.relay.url])
        joining.standardOutput = FileHandle.nullDevice
        joining.standardError = FileHandle.nullDevice
        try joining.run()
        // Kill it once some pages are stored but not all.
        let deadline = Date().addingTimeInterval(60)
        var partial = 0
        while Date() < deadline {
            partial = (try? LedgerCount.events(at: bob.database)) ?? 0
            if partial > 0 { break }
            usleep(1000)
        }
        kill(joining.processIdentifier, SIGKILL)
        joining.waitUntilExit()
        let afterKill = (try? LedgerCount.events(at: bob.database)) ?? 0
        #expect(afterKill < total, "the kill must land mid-pull (\(afterKill) of \(total))")
        try bob.ok("sync")
        // Everything the relay had, plus the profile Bob published on joining and his cosignature of the
        // checkpoint, each exactly once.
        #expect(try fixture.relayEventCount() == total + 2)
        #expect(try bob.eventCount() == total + 2)
        #expect(try bob.ok("verify").contains("OK:"))
        #expect(try fixture.digest(bob) == fixture.relayDigest())
    }
}
