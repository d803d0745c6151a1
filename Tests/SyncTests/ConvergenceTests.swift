import Foundation
import LedgerProtocol
import LedgerStore
import LedgerTestSupport
import Testing

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

@Suite struct ConvergenceTests {
    /// Three members work offline, sync in different orders, repeatedly: every client and the relay end
    /// with identical views, and the concurrent promotions show as one conflict until resolved.
    @Test func threeOfflineClientsConvergeAndSeeTheSameConflict() throws {
        let fixture = try TeamFixture()
        let alice = fixture.admin
        try alice.ok("team", "protect", "production", "--role", "maintainer")
        let bob = try fixture.join("Bob", role: "maintainer")
        let carol = try fixture.join("Carol", role: "maintainer")
        try alice.ok("model", "create", "digits")
        try alice.ok("sync")
        for member in [bob, carol] { try member.ok("sync") }

        // Offline work.
        for (i, member) in [alice, bob, carol].enumerated() {
            let run = try member.ok("run", "start", "--experiment", "mnist", "--name", "run-\(i)").trimmingCharacters(in: .whitespacesAndNewlines)
            try member.ok("run", "log-param", run, "lr=0.\(i + 1)")
            try member.ok(
                "run", "log-batch", run,
                stdin: (1...20).map { "{\"step\":\($0),\"metrics\":{\"loss\":\(1.0 / Double($0 + i))}}" }.joined(separator: "\n"))
            try member.ok("run", "finish", run)
            try member.ok("model", "version", "create", "digits", "--run", run)
        }
        try bob.ok("model", "promote", "digits", "1", "--to", "production", "--reason", "bob: best loss")
        try carol.ok("model", "promote", "digits", "1", "--to", "production", "--reason", "carol: most robust")
        try alice.ok("comment", "add", "digits", "let's pick one")

        for member in [carol, bob, alice, bob, carol, alice, carol] { try member.ok("sync") }

        let digests = try [alice, bob, carol].map(fixture.digest)
        #expect(Set(digests).count == 1, "client views differ: \(digests)")
        #expect(try fixture.relayDigest() == digests[0])

        for member in [alice, bob, carol] {
            let model = try #require(try member.json("model", "show", "digits") as? [String: Any])
            let versions = try #require(model["versions"] as? [[String: Any]])
            #expect(versions.count == 3)
            #expect(versions.filter { $0["renumbered"] as? Bool == true }.count == 2, "three versions all claimed v1")
            let production = try #require((model["aliases"] as? [[String: Any]])?.first { $0["alias"] as? String == "production" })
            let conflict = try #require(production["conflict"] as? [[String: Any]])
            #expect(Set(conflict.compactMap { $0["reason"] as? String }) == ["bob: best loss", "carol: most robust"])
            let audit = try #require((try member.json("audit", "digits") as? [String: Any])?["entries"] as? [[String: Any]])
            #expect(audit.filter { $0["conflict"] as? Bool == true }.count == 2)
        }

        // Alice (admin) resolves it: the promotion names both heads.
        try alice.ok("model", "promote", "digits", "2", "--to", "production", "--reason", "agreed: v2")
        for member in [alice, bob, carol] { try member.ok("sync") }
        for member in [alice, bob, carol] {
            let model = try #require(try member.json("model", "show", "digits") as? [String: Any])
            let production = try #require((model["aliases"] as? [[String: Any]])?.first { $0["alias"] as? String == "production" })
            #expect((production["conflict"] as? [Any])?.isEmpty == true)
            #expect(production["versionNumber"] as? Int == 2)
            #expect(production["reason"] as? String == "agreed: v2")
        }
        let after = try [alice, bob, carol].map(fixture.digest)
        #expect(Set(after).count == 1)
        #expect(try fixture.relayDigest() == after[0])
    }

    @Test func artifactsTravelThroughTheRelay() throws {
        let fixture = try TeamFixture()
        let bob = try fixture.join("Bob", role: "writer")
        let run = try fixture.admin.initRunInExistingWorkspace()
        let file = fixture.admin.workspace.appendingPathComponent("weights.bin")
        try Data((0..<100_000).map { UInt8($0 % 253) }).write(to: file)
        try fixture.admin.ok("run", "artifact", run, file.path)
        try fixture.admin.ok("model", "create", "digits")
        try fixture.admin.ok("model", "version", "create", "digits", "--run", run)
        try fixture.admin.ok("sync")
        try bob.ok("sync")
        let out = bob.root.appendingPathComponent("out")
        try bob.ok("model", "pull", "digits@v1", "--out", out.path)
        #expect(try Data(contentsOf: out.appendingPathComponent("weights.bin")) == Data(contentsOf: file))
    }
}

extension CLI {
    /// Starts a run in a workspace that already exists.
    func initRunInExistingWorkspace() throws -> String {
        try ok("run", "start", "--experiment", "mnist").trimmingCharacters(in: .whitespacesAndNewlines)
    }
}

@Suite struct ForkThroughSyncTests {
    /// A laptop restored from a backup signs different events at seqs it had already used: the relay
    /// keeps both as evidence and every client flags the fork the same way.
    @Test func aRestoredWorkspaceForksAndEveryoneSeesIt() throws {
        let fixture = try TeamFixture()
        let alice = fixture.admin
        let bob = try fixture.join("Bob", role: "writer")
        try alice.ok("model", "create", "digits")
        try alice.ok("sync")
        let backup = alice.root.appendingPathComponent("backup")
        try FileManager.default.copyItem(at: alice.workspace.appendingPathComponent(".mledger"), to: backup)
        try alice.ok("experiment", "create", "before-restore")
        try alice.ok("sync")
        // The disk dies; the backup comes back, and work goes on from it.
        try FileManager.default.removeItem(at: alice.workspace.appendingPathComponent(".mledger"))
        try FileManager.default.copyItem(at: backup, to: alice.workspace.appendingPathComponent(".mledger"))
        try alice.ok("experiment", "create", "after-restore")
        let sync = try alice.run("sync")
        #expect(sync.stdout.contains("FORK"))
        try bob.ok("sync")
        for member in [alice, bob] {
            let audit = try #require(try member.json("audit") as? [String: Any])
            let forks = try #require(audit["forks"] as? [[String: Any]])
            #expect(forks.count == 1)
            #expect((forks.first?["events"] as? [String])?.count == 2)
        }
        #expect(try fixture.digest(alice) == fixture.digest(bob))
        #expect(try fixture.digest(bob) == fixture.relayDigest())
    }
}

extension ForkThroughSyncTests {
    /// A laptop restored from a backup that worked on forks at every seq it signs again. The relay and
    /// every client keep the evidence and a short stretch past it (`ForkBound`), refuse the rest with
    /// `forked_chain`, and count the same events: a forked key cannot make anyone store without bound.
    @Test func aLongForkIsBoundedAndCountedAlikeEverywhere() throws {
        let fixture = try TeamFixture()
        let alice = fixture.admin
        let run = try alice.initRunInExistingWorkspace()
        try alice.ok("sync")
        let restored = try CLI()
        try FileManager.default.removeItem(at: restored.workspace)
        try FileManager.default.copyItem(at: alice.workspace, to: restored.workspace)
        try FileManager.default.copyItem(at: alice.config, to: restored.config)
        for (cli, count) in [(alice, 60), (restored, 50)] {
            let file = cli.root.appendingPathComponent("points.jsonl")
            try (1...count).map { "{\"key\":\"loss\",\"value\":\($0),\"step\":\($0)}" }.joined(separator: "\n")
                .write(to: file, atomically: true, encoding: .utf8)
            try cli.ok("run", "log-batch", run, "--file", file.path, "--batch-size", "1")
        }
        let before = try fixture.relayEventCount()
        try restored.ok("sync")
        let sync = try alice.run("sync")
        #expect(!sync.ok, "a forked key's sync must not look fine")
        #expect(sync.stdout.contains("FORK") && sync.stdout.contains("forked chain"))
        _ = try restored.run("sync")
        // The restored side went first (50, and its cosignature of the checkpoint), then the evidence and
        // the bound's stretch of Alice's side.
        #expect(try fixture.relayEventCount() == before + 50 + 1 + 1 + Int(ForkBound.seqsPastFork))
        #expect(try fixture.digest(alice) == fixture.relayDigest())
        #expect(try fixture.digest(restored) == fixture.relayDigest())
    }
}

@Suite struct DeviceLinkTests {
    /// A member's second device has its own key; once linked, it acts with the member's role.
    @Test func aLinkedDeviceActsForItsMember() throws {
        let fixture = try TeamFixture()
        try fixture.admin.ok("model", "create", "digits")
        let run = try fixture.admin.initRunInExistingWorkspace()
        try fixture.admin.ok("model", "version", "create", "digits", "--run", run)
        let laptop = try CLI()
        try laptop.ok("identity", "create", "--name", "Alice (laptop)")
        // A consent the laptop did not give is refused before anything is signed.
        let forged = try fixture.admin.run(
            "identity", "link", try TeamFixture.publicKey(of: laptop), "--consent", String(repeating: "ab", count: 64))
        #expect(!forged.ok && forged.stderr.contains("mledger identity consent --member"), "\(forged.stderr)")
        try fixture.admin.link(laptop, label: "laptop")
        try fixture.admin.ok("sync")
        try laptop.ok("init", "--join", fixture.relay.url)
        // Only admins may protect aliases: the linked device inherits the admin role.
        try laptop.ok("team", "protect", "production", "--role", "maintainer")
        try laptop.ok("model", "promote", "digits", "1", "--to", "production", "--reason", "from the laptop")
        try laptop.ok("sync")
        try fixture.admin.ok("sync")
        #expect(try fixture.digest(laptop) == fixture.digest(fixture.admin))
        let production = ((try fixture.admin.json("model", "show", "digits") as? [String: Any])?["aliases"] as? [[String: Any]])?.first
        #expect(production?["reason"] as? String == "from the laptop")
    }

    /// Alice's laptop: linked, joined, and an experiment created on it and synced.
    static func laptop(of fixture: TeamFixture, creating experiment: String) throws -> (CLI, String) {
        let laptop = try CLI()
        try laptop.ok("identity", "create", "--name", "Alice (laptop)")
        let key = try fixture.admin.link(laptop, label: "laptop")
        try fixture.admin.ok("sync")
        try laptop.ok("init", "--join", fixture.relay.url)
        try laptop.ok("experiment", "create", experiment)
        try laptop.ok("sync")
        return (laptop, key)
    }

    /// A device key is linked once (SPEC 2.2): revoked and then consenting to another member, it still
    /// belongs to the member who linked it, so its events stay theirs, as when they were written.
    @Test func aDeviceBelongsForGoodToTheMemberWhoLinkedIt() throws {
        let fixture = try TeamFixture()
        let (laptop, laptopKey) = try Self.laptop(of: fixture, creating: "from-the-laptop")
        try fixture.admin.ok("team", "remove", laptopKey, "--reason", "laptop sold")
        try fixture.admin.ok("sync")

        let bob = try fixture.join("Bob", role: "admin")
        let bobKey = try TeamFixture.publicKey(of: bob)
        let asked = try #require(try laptop.json("identity", "consent", "--member", bobKey, "--team", fixture.team) as? [String: Any])
        let relinked = try bob.run("identity", "link", laptopKey, "--consent", try #require(asked["consent"] as? String))
        #expect(!relinked.ok && relinked.stderr.contains("already a member's key or a linked device"), "\(relinked.stderr)")
        try bob.ok("sync")
        for cli in [bob, fixture.admin] {
            #expect(try Ledger(path: cli.database).authorName(try #require(PublicKey(hex: laptopKey))) == "Alice")
        }
    }

    /// `team remove DEVICE_KEY` revokes the device everywhere: the relay refuses its pushes, pulls and
    /// dashboard sign-ins, and no view counts what it signs afterwards; its member keeps every other key.
    @Test func aRemovedDeviceIsRefusedEverywhere() async throws {
        let fixture = try TeamFixture()
        let (laptop, laptopKey) = try Self.laptop(of: fixture, creating: "before")
        try fixture.admin.ok("sync")
        let removed = try fixture.admin.ok("team", "remove", laptopKey, "--reason", "laptop stolen")
        #expect(removed.contains("revoked"))
        try fixture.admin.ok("sync")

        try laptop.ok("experiment", "create", "after")
        #expect(try laptop.execute(["sync"]).status != 0)
        let link = try #require((try laptop.json("open", "--no-browser") as? [String: Any])?["url"] as? String)
        let (_, response) = try await URLSession.shared.data(from: try #require(URL(string: link)))
        #expect((response as? HTTPURLResponse)?.statusCode == 401)

        try fixture.admin.ok("experiment", "create", "admin-still-works")
        try fixture.admin.ok("sync")
        let names = try #require(try fixture.admin.json("experiment", "list") as? [[String: Any]]).compactMap { $0["name"] as? String }
        #expect(names.contains("before") && !names.contains("after") && names.contains("admin-still-works"))
        #expect(try fixture.digest(fixture.admin) == fixture.relayDigest())
    }
}

/// A lost laptop (issue: revoke a device, rotate a member's key), through the real CLI and relay.
@Suite struct LostLaptopSyncTests {
    /// Bob has a laptop and a desktop; he revokes the laptop himself. The relay refuses its new events, a
    /// ledger that takes them another way holds them as counting nowhere, and the desktop works on.
    @Test func aRevokedLaptopIsRefusedAndTheOtherDeviceWorksOn() throws {
        let fixture = try TeamFixture()
        let bob = try fixture.join("Bob", role: "writer")
        var devices = [CLI]()
        for label in ["laptop", "desktop"] {
            let device = try CLI()
            try device.ok("identity", "create", "--name", "Bob (\(label))")
            try bob.link(device, label: label)
            try bob.ok("sync")
            try device.ok("init", "--join", fixture.relay.url)
            try device.ok("experiment", "create", "from-\(label)")
            try device.ok("sync")
            devices.append(device)
        }
        let (laptop, desktop) = (devices[0], devices[1])
        let laptopKey = try TeamFixture.publicKey(of: laptop)
        #expect(try bob.ok("identity", "revoke", laptopKey, "--reason", "laptop stolen").contains("Revoked"))
        try bob.ok("sync")
        let keys = try #require(try bob.json("identity", "list") as? [[String: Any]])
        #expect(keys.count == 3 && keys.filter { $0["revoked"] as? Bool == true }.count == 1)

        try laptop.ok("experiment", "create", "thief")
        #expect(try laptop.execute(["sync"]).status != 0)
        try desktop.ok("experiment", "create", "desktop-after")
        try desktop.ok("sync")
        try fixture.admin.ok("sync")

        // The thief's events reach Alice another way (a copied workspace): stored, counting nowhere.
        let stolen = try Ledger(path: laptop.database).events(beyond: [:], limit: 1000).events
        _ = try Ledger(path: fixture.admin.database).ingest(stolen)
        let names = try #require(try fixture.admin.json("experiment", "list") as? [[String: Any]]).compactMap { $0["name"] as? String }
        #expect(names.contains("from-laptop") && names.contains("desktop-after") && !names.contains("thief"))
        let verify = try #require(try fixture.admin.json("verify") as? [String: Any])
        #expect(verify["ok"] as? Bool == true)
        let held = try #require(verify["held"] as? [[String: Any]])
        #expect(held.count == 1 && (held.first?["author"] as? [String: Any])?["key"] as? String == laptopKey)
        #expect(try fixture.digest(fixture.admin) == fixture.relayDigest())
    }

    /// Bob replaces his member key: an admin completes it; his name, role and history stay.
    @Test func aRotatedMemberKeepsNameRoleAndHistory() throws {
        let fixture = try TeamFixture()
        let bob = try fixture.join("Bob", role: "maintainer")
        try bob.ok("experiment", "create", "bob-before")
        try bob.ok("sync")
        let oldKey = try TeamFixture.publicKey(of: bob)
        let printed = try bob.ok("identity", "rotate")
        let command = try #require(printed.split(separator: "\n").first { $0.contains("mledger team rotate") })
        let arguments = command.split(separator: " ").dropFirst().map(String.init)
        try fixture.admin.ok(arguments[0], arguments[1], arguments[2], arguments[3], arguments[4], arguments[5], arguments[6])
        try fixture.admin.ok("sync")
        try bob.ok("sync")
        try bob.ok("experiment", "create", "bob-after")
        try bob.ok("sync")
        try fixture.admin.ok("sync")
        let newKey = try TeamFixture.publicKey(of: bob)
        #expect(newKey != oldKey)
        let members = try #require((try fixture.admin.json("team", "list") as? [String: Any])?["members"] as? [[String: Any]])
        let current = try #require(members.first { ($0["author"] as? [String: Any])?["key"] as? String == newKey })
        #expect(current["role"] as? String == "maintainer" && (current["author"] as? [String: Any])?["name"] as? String == "Bob")
        let retired = try #require(members.first { ($0["author"] as? [String: Any])?["key"] as? String == oldKey })
        #expect(retired["active"] as? Bool == false && (retired["replacedBy"] as? [String: Any])?["key"] as? String == newKey)
        let names = try #require(try fixture.admin.json("experiment", "list") as? [[String: Any]]).compactMap { $0["name"] as? String }
        #expect(names.contains("bob-before") && names.contains("bob-after"))
        let audit = try #require((try fixture.admin.json("audit") as? [String: Any])?["entries"] as? [[String: Any]])
        #expect(audit.contains { ($0["text"] as? String)?.contains("replacing Bob") == true })
        #expect(try fixture.digest(bob) == fixture.relayDigest())
        #expect((try fixture.admin.json("verify") as? [String: Any])?["ok"] as? Bool == true)
    }
}
