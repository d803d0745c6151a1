import ArgumentParser
import Foundation
import LedgerModel
import LedgerProtocol
import LedgerStore

struct TeamCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "team",
        abstract: "Members, roles and protected aliases (admins sign these changes).",
        discussion: """
            Roles, from least to most: reader (reads everything), writer (logs runs, comments, creates \
            versions, moves unprotected aliases), maintainer (also moves protected aliases), admin (also \
            manages members and protections). \
            A member's KEY is the public key `mledger identity show` prints on their machine. Changes take \
            effect for the team once synced to the relay.
            """,
        subcommands: [Add.self, Remove.self, Rotate.self, Protect.self, AnnounceRelay.self, List.self]
    )

    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Add a member (or change their role).", usage: "mledger team add 9f3c...e1 --role writer --name Bob")
        @Argument(help: "The member's public key (hex).") var key: String
        @Option(help: "reader, writer, maintainer or admin.") var role: String = "writer"
        @Option(help: "Their display name.") var name: String?

        func run() throws {
            guard let member = PublicKey(hex: key) else { throw ValidationError("KEY must be 64 hex digits, as `mledger identity show` prints") }
            guard let r = Role(rawValue: role) else { throw ValidationError("--role must be reader, writer, maintainer or admin") }
            try Session.open().append(MemberAdd(member: member, role: r, name: name))
            print("\(name ?? member.fingerprint) is now a \(r.rawValue); run `mledger sync` to tell the relay")
        }
    }

    struct Remove: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Remove a member, or revoke one of a member's device keys.",
            usage: "mledger team remove 9f3c...e1 --reason \"left the team\"",
            discussion: """
                A member's removal also revokes every device they linked. Their history up to the last event \
                this ledger holds of each of their keys stays; anything they sign later counts nowhere, even \
                if dated earlier. With a remote, it syncs first, so every event the relay accepted from them stays.
                """)
        @Argument(help: "The member's public key, or a linked device's key (hex).") var key: String
        @Option(help: "Why (kept in the audit trail).") var reason: String

        func run() async throws {
            guard let member = PublicKey(hex: key) else { throw ValidationError("KEY must be 64 hex digits") }
            let session = try Session.open()
            await Sync.catchUp(session)
            let device = try session.ledger.isLinkedDevice(member)
            try session.remove(member, reason: reason)
            print(
                "\(member.fingerprint) \(device ? "revoked (device key)" : "removed, with every device they linked"); run `mledger sync` to tell the relay"
            )
        }
    }

    struct Rotate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Let a member's new key replace their old one (the command `mledger identity rotate` printed).",
            usage: "mledger team rotate OLD_KEY --to NEW_KEY --consent SIGNATURE",
            discussion: """
                The member keeps their name, role, devices and history; the old key signs nothing more. Its \
                events up to the last one this ledger holds still count (with a remote, it syncs first).
                """)
        @Argument(help: "The member's old key (hex).") var old: String
        @Option(help: "The member's new key (hex).") var to: String
        @Option(help: "The old key's signature consenting to the new one (hex), from `mledger identity rotate`.") var consent: String

        func run() async throws {
            guard let oldKey = PublicKey(hex: old), let newKey = PublicKey(hex: to) else { throw ValidationError("keys are 64 hex digits") }
            guard let signature = Hex.decode(consent), signature.count == 64 else { throw ValidationError("--consent is 128 hex digits") }
            let session = try Session.open()
            await Sync.catchUp(session)
            try IdentityCommand.rotate(oldKey, to: newKey, consent: signature, in: session, signer: try session.signer())
            print("\(newKey.fingerprint) now carries \(oldKey.fingerprint)'s membership; run `mledger sync` to tell the relay")
        }
    }

    struct AnnounceRelay: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "announce-relay",
            abstract: "Name a relay's transparency-log key as the team's (admins), so members trust no other.",
            usage: "mledger team announce-relay --remote origin",
            discussion: """
                Announces the log key this workspace pinned for the remote, or, for a relay it has not synced \
                with, the key the relay gives now. Once a key is announced, every member's sync checks the \
                relay's log key against the announced ones, first sync included, and stops with evidence at \
                any other (`mledger audit --relay`).
                """)
        @OptionGroup var relay: WebhookCommand.RelayOptions

        func run() async throws {
            let session = try Session.open()
            let remote = try Sync.remote(session, relay.remote)
            var key = try session.ledger.remoteLog(remote.name)?.logKey
            if key == nil { key = try await relay.client().logKey() }
            guard let key else {
                throw ValidationError("the relay at \(remote.url) keeps no transparency log")
            }
            guard try !session.ledger.announcedLogKeys().contains(key) else { return print("\(key) is announced already") }
            try session.append(RelayAnnounce(key: key, url: remote.url))
            print("Announced \(key) (\(remote.url)); run `mledger sync` to tell the team")
        }
    }

    struct Protect: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Let only members with at least ROLE move an alias, or only N of them agreeing.",
            usage: "mledger team protect production --role maintainer --approvals 2 --not-requester",
            discussion: """
                With --approvals N nobody moves the alias directly: `mledger model request` asks, and the alias \
                moves once N distinct members with ROLE approve (`mledger model approve`); one rejection by such \
                a member blocks the request. With --not-requester the requester's own approval does not count.
                """)
        @Argument(help: "The alias, e.g. production.") var alias: String
        @Option(help: "The least role that may move it (or approve a request for it).") var role: String = "maintainer"
        @Option(help: "Distinct approvals a promotion needs (1 to 32); without it the alias moves directly.") var approvals: Int?
        @Flag(help: "The requester's own approval does not count (needs --approvals).") var notRequester = false

        func run() throws {
            guard let r = Role(rawValue: role) else { throw ValidationError("--role must be reader, writer, maintainer or admin") }
            if let n = approvals, n < 1 || n > Int(AliasProtect.maxApprovals) {
                throw ValidationError("--approvals must be 1 to \(AliasProtect.maxApprovals)")
            }
            if notRequester, approvals == nil { throw ValidationError("--not-requester needs --approvals N") }
            try Session.open().append(AliasProtect(alias: alias, role: r, approvals: approvals ?? 0, notRequester: notRequester))
            guard let n = approvals else { return print("'\(alias)' can now be moved by \(r.rawValue)s and above") }
            print(
                "'\(alias)' now moves only when \(n) \(r.rawValue)\(n == 1 ? "" : "s") approve a request\(notRequester ? ", not counting the requester" : "")"
            )
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show the team id, the members and their roles.")
        @OptionGroup var output: OutputOptions

        struct View: Encodable {
            var team: String
            var members: [MemberView]
        }

        func run() throws {
            let session = try Session.open()
            let view = View(team: try session.team().hex, members: try session.ledger.members())
            if output.json { return try Output.json(view) }
            print("team \(view.team)")
            let members = view.members
            Output.table(
                ["MEMBER", "ROLE", "KEY"],
                members.map { m in
                    [m.author.label, m.active ? m.role ?? "-" : m.replacedBy.map { "replaced by \($0.fingerprint)" } ?? "removed", m.author.key]
                })
        }
    }
}
