import ArgumentParser
import Foundation
import LedgerProtocol
import LedgerStore
import LedgerSync

struct RemoteCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "remote",
        abstract: "Manage the relays this workspace syncs with.",
        subcommands: [Add.self, List.self]
    )

    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Add a relay.", usage: "mledger remote add origin http://relay.example.org:8470")
        @Argument(help: "A short name for the relay.") var name: String
        @Argument(help: "The relay's URL.") var url: String

        func validate() throws {
            guard let u = URL(string: url), ["http", "https"].contains(u.scheme ?? ""), u.host != nil else {
                throw ValidationError("'\(url)' is not an http(s) URL such as http://127.0.0.1:8470")
            }
        }

        func run() throws {
            try Session.open().ledger.addRemote(name: name, url: url)
            print("Added remote \(name) \(url)")
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List relays and how far pulls got.")
        @OptionGroup var output: OutputOptions

        func run() throws {
            let remotes = try Session.open().ledger.remotes()
            if output.json { return try Output.json(remotes) }
            if remotes.isEmpty { return print("No remotes: add one with `mledger remote add origin URL`.") }
            Output.table(["NAME", "URL", "CURSOR"], remotes.map { [$0.name, $0.url, String($0.cursor)] })
        }
    }
}

struct Sync: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Exchange events with a relay: push what it lacks, pull what this workspace lacks.",
        usage: "mledger sync\n  mledger sync origin --json",
        discussion: """
            Everything pulled is verified (signatures, chains, team) before it is stored. Safe to interrupt \
            at any moment: the next sync resumes where this one stopped, with no duplicates. Artifact files \
            referenced by events are uploaded too. The relay's transparency log is checked on every sync; \
            when this device wrote something since its last one (or a day passed), the sync also cosigns \
            the checkpoint it verified, so the team witnesses what the relay shows each member \
            (`mledger audit --relay`).
            """
    )
    @Argument(help: "The remote (default: the only one, or 'origin').") var remote: String?
    @Flag(
        help: """
            Forget the relay's log key, last checkpoint and pull cursor, then sync: for a relay restored \
            from a backup (its operator starts a new log with `mledger-relay new-log`). The sync pushes what \
            the relay lost, pulls everything again (what is held is not verified twice) and pins the new \
            log; cosignatures of the old log, under the old key, are never held against it. Evidence of \
            failed checks is kept.
            """)
    var forgetRelayLog = false
    @OptionGroup var output: OutputOptions

    func run() async throws {
        let session = try Session.open()
        if forgetRelayLog { try session.ledger.forgetLog(remote: try Self.remote(session, remote).name) }
        let summary = try await Self.sync(session, remote: remote, quiet: output.json)
        if output.json { return try Output.json(summary) }
        print(
            "Synced with \(try Self.remote(session, remote).name): pushed \(summary.pushed), pulled \(summary.pulled), "
                + "\(summary.pushDuplicates + summary.pullDuplicates) already there, \(summary.blobsUploaded) blobs uploaded"
                + (summary.forks > 0 ? ", \(summary.forks) FORKS (see `mledger audit`)" : ""))
        if let size = summary.cosigned { print("  witnessed the relay's checkpoint of \(size) entries (a cosignature for the team)") }
        if summary.pastForkBound > 0 { print("  \(summary.pastForkBound) events of forked chains not kept (past the fork's bound)") }
        for r in summary.rejectedByRelay { print("  refused by the relay: \(r)") }
        for r in summary.rejectedFromRelay { print("  invalid event from the relay, not stored: \(r)") }
        if summary.rejectedByRelay.contains(where: { $0.contains("forked chain") }) {
            print(
                "  This device's key signed two different histories (a restored backup or a copied key). Create a new identity "
                    + "here and link it from your member key (`mledger identity link`); an admin can revoke this one (`mledger team remove`).")
        }
        if !summary.rejectedByRelay.isEmpty || !summary.rejectedFromRelay.isEmpty { throw ExitCode(1) }
    }

    /// Before a change that cuts someone's chain (a removal, a revocation, a rotation): take in what the
    /// relay holds, so the chain ends kept include every event it accepted. Offline, the change keeps
    /// what this ledger holds, and says so.
    static func catchUp(_ session: Session) async {
        guard let remotes = try? session.ledger.remotes(), !remotes.isEmpty else { return }
        do {
            _ = try await sync(session, remote: nil, quiet: true)
        } catch {
            FileHandle.standardError.write(
                Data(
                    """
                    could not sync first (\(error)); the change keeps the events this ledger holds of the keys it cuts
                    \n
                    """.utf8))
        }
    }

    static func remote(_ session: Session, _ name: String?) throws -> Remote {
        let remotes = try session.ledger.remotes()
        if let name {
            guard let r = remotes.first(where: { $0.name == name }) else { throw SyncError.noRemote(name) }
            return r
        }
        if remotes.count == 1 { return remotes[0] }
        guard let r = remotes.first(where: { $0.name == "origin" }) else { throw SyncError.noRemote("") }
        return r
    }

    /// Syncs; a member who just joined (pulled the team) publishes their profile and pushes it.
    /// Pushes what the relay lacks, signing the requests with `signer` (a key about to be retired: once the
    /// relay holds its rotation, it can sign no more requests).
    static func push(_ session: Session, signer: SigningKey) async throws {
        let syncer = try Syncer(ledger: session.ledger, remote: try remote(session, nil), key: signer, blobs: session.workspace.blobs)
        let summary = try await syncer.push()
        if let refused = summary.rejectedByRelay.first { throw ValidationError("the relay refused \(refused)") }
    }

    static func sync(_ session: Session, remote name: String?, quiet: Bool) async throws -> Syncer.Summary {
        let remote = try remote(session, name)
        let key = try session.signer()
        let syncer = try Syncer(ledger: session.ledger, remote: remote, key: key, blobs: session.workspace.blobs)
        let bar = Progress(label: "syncing")
        var summary = try await syncer.run { phase, done in
            if !quiet { bar.status("\(phase.rawValue): \(done) events") }
        }
        if try session.ledger.team() != nil, try !session.ledger.hasProfile(key.publicKey),
            try session.ledger.currentRole(of: key.publicKey) != nil
        {
            let file = try IdentityStore.standard().read()
            try session.append(IdentityProfile(name: file.name, email: file.email))
            let again = try await syncer.run()
            summary.pushed += again.pushed
        }
        bar.clear()
        return summary
    }
}
