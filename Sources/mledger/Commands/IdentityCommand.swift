import ArgumentParser
import Foundation
import LedgerModel
import LedgerProtocol
import LedgerStore

struct IdentityCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "identity",
        abstract: "This device's signing identity, the member's devices, revocation and key rotation.",
        discussion: """
            The identity is an Ed25519 key kept in the user's config directory ($MLEDGER_CONFIG_DIR, \
            $XDG_CONFIG_HOME/mledger or ~/.config/mledger), readable only by you. Each device has its own \
            key; never copy it to another machine.
            """,
        subcommands: [Show.self, Create.self, Consent.self, Link.self, List.self, Revoke.self, Rotate.self]
    )

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print this device's public key, fingerprint and name.")
        @OptionGroup var output: OutputOptions

        struct View: Encodable {
            var publicKey: String
            var fingerprint: String
            var name: String
            var email: String?
            var encrypted: Bool
            var file: String
        }

        func run() throws {
            let store = IdentityStore.standard()
            let file = try store.read()
            guard let key = PublicKey(hex: file.publicKey) else { throw StoreError.identity("\(store.fileURL.path) is damaged") }
            let view = View(
                publicKey: key.hex, fingerprint: key.fingerprint, name: file.name, email: file.email,
                encrypted: file.sealed != nil, file: store.fileURL.path)
            if output.json { return try Output.json(view) }
            print("name         \(view.name)\(view.email.map { " <\($0)>" } ?? "")")
            print("fingerprint  \(view.fingerprint)")
            print("public key   \(view.publicKey)")
            print("file         \(view.file)\(view.encrypted ? " (passphrase-protected)" : "")")
        }
    }

    struct Create: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create this device's identity (once).")
        @Option(help: "Your display name (default: git's user.name, or $USER).") var name: String?
        @Option(help: "Your email.") var email: String?
        @Flag(help: "Seal the key under a passphrase (from MLEDGER_PASSPHRASE or asked).") var encrypt = false

        func run() throws {
            let result = try IdentityCommand.ensureIdentity(name: name, email: email, encrypt: encrypt)
            guard result.created else { throw StoreError.identity("an identity already exists at \(IdentityStore.standard().fileURL.path)") }
            print("Created identity \(result.key.fingerprint) at \(IdentityStore.standard().fileURL.path)")
        }
    }

    struct Consent: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Sign this device's consent to be linked to a member (run on the new device; the member then links it).",
            usage: "mledger identity consent --member 3f9a...c2 --team 8c1d...07",
            discussion: """
                A link carries the device key's own signature, so a key can be linked only by the member whose \
                device it is. This prints the `mledger identity link` command for the member's machine.
                """
        )
        @Option(help: "The member key to link to (hex, as `mledger identity show` prints on the member's machine).") var member: String
        @Option(help: "The team id (hex, as `mledger team list` prints; default: this workspace's team).") var team: String?
        @OptionGroup var output: OutputOptions

        struct View: Encodable {
            var device: String
            var member: String
            var team: String
            var consent: String
        }

        func run() throws {
            guard let member = PublicKey(hex: member) else {
                throw ValidationError("--member must be 64 hex digits, as `mledger identity show` prints")
            }
            let team =
                try team.map { hex throws -> LedgerID in
                    guard let id = LedgerID(hex: hex) else { throw ValidationError("--team must be 64 hex digits") }
                    return id
                } ?? Session.open().team()
            let device = try Session.loadSigner()
            let consent = device.sign(DeviceLink.message(team: team, member: member, device: device.publicKey))
            let view = View(device: device.publicKey.hex, member: member.hex, team: team.hex, consent: Hex.encode(consent))
            if output.json { return try Output.json(view) }
            print(
                """
                This device (\(device.publicKey.fingerprint)) consents to be linked to \(member.fingerprint). On that member's machine, run:
                  mledger identity link \(view.device) --consent \(view.consent)
                """)
        }
    }

    struct Link: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Link another device's key to you (run on the device whose key is your member key).",
            usage: "mledger identity link 5b1e...9a --consent 7d02...e1 --label 'gpu node'",
            discussion: """
                The new device keeps its own key (`mledger identity create` there) and signs its consent with \
                `mledger identity consent --member YOUR_KEY`, which prints this command. Once the link is \
                synced, the relay and every client treat its events as yours, with your role. One key never \
                lives on two machines.
                """
        )
        @Argument(help: "The other device's public key (hex).") var key: String
        @Option(help: "The device's consent (hex), from `mledger identity consent` on that device.") var consent: String
        @Option(help: "A name for the device.") var label: String?

        func run() throws {
            guard let device = PublicKey(hex: key) else { throw ValidationError("KEY must be 64 hex digits, as `mledger identity show` prints") }
            let session = try Session.open()
            let member = try session.signer().publicKey
            let link = DeviceLink(device: device, label: label, consent: Hex.decode(consent))
            guard link.isConsented(team: try session.team(), member: member) else {
                throw ValidationError(
                    "--consent is not \(device.fingerprint)'s signature for linking to you in this team: run `mledger identity consent --member \(member.hex)` on that device"
                )
            }
            try session.append(link)
            print("Linked \(device.fingerprint)\(label.map { " (\($0))" } ?? ""); run `mledger sync` to tell the relay")
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List a member's keys: their own and every device they linked, with last activity and revocation.")
        @Option(help: "Whose keys (hex; default: the member this device acts for).") var member: String?
        @OptionGroup var output: OutputOptions

        func run() throws {
            let session = try Session.open()
            let who =
                try member.map { hex throws -> PublicKey in
                    guard let key = PublicKey(hex: hex) else { throw ValidationError("--member must be 64 hex digits") }
                    return key
                } ?? session.ledger.member(of: try session.signer().publicKey)
            let keys = try session.ledger.keys(of: who)
            if output.json { return try Output.json(keys) }
            Output.table(
                ["KEY", "KIND", "LABEL", "LINKED", "LAST EVENT", "EVENTS", "STATE"],
                keys.map { k in
                    [
                        k.key.fingerprint, k.memberKey ? "member key" : "device", k.label ?? "", k.linkedAt.map(Output.time) ?? "",
                        k.lastEventAt.map(Output.time) ?? "never", String(k.events), k.revoked ? "revoked" : "active",
                    ]
                })
        }
    }

    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Revoke one of your devices (a lost or stolen laptop): its key signs nothing that counts from now on.",
            usage: "mledger identity revoke 5b1e...9a --reason \"laptop stolen\"",
            discussion: """
                Run it with your member key (or as an admin). With a remote it syncs first, so every event the \
                relay accepted from the device before now still counts; anything the device signs later \
                counts nowhere, even if dated earlier, on the relay and on every client.
                """)
        @Argument(help: "The device's public key (hex), as `mledger identity list` shows.") var device: String
        @Option(help: "Why (kept in the audit trail).") var reason: String

        func run() async throws {
            guard let key = PublicKey(hex: device) else { throw ValidationError("DEVICE must be 64 hex digits") }
            let session = try Session.open()
            await Sync.catchUp(session)
            guard try session.ledger.isLinkedDevice(key) else {
                throw ValidationError("\(key.fingerprint) is not a linked device; a member's own key is replaced with `mledger identity rotate`")
            }
            try session.remove(key, reason: reason)
            print("Revoked \(key.fingerprint); run `mledger sync` to tell the relay")
        }
    }

    struct Rotate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Replace your member key with a new one, keeping your name, role, devices and history.",
            discussion: """
                Run it on the machine that holds your member key. A new key is created and the old one signs its \
                consent; the old key file is kept beside it as identity.retired-FINGERPRINT.json and signs \
                nothing more. An admin's signature completes the rotation: an admin's own rotation is done at \
                once (and pushed with the old key, so the relay knows the new one before it signs); anyone \
                else's prints the `mledger team rotate` command to give an admin.
                """)
        @Flag(help: "Put in place a new key whose rotation was signed but not yet pushed (after `mledger sync`).") var finish = false

        func run() async throws {
            let session = try Session.open()
            let store = IdentityStore.standard()
            if finish {
                try store.replace(with: try store.loadNext(passphrase: Passphrase.read), passphrase: Passphrase.read)
                try store.discardNext()
                return print("The new key is in place.")
            }
            await Sync.catchUp(session)
            let old = try session.signer()
            guard try !session.ledger.isLinkedDevice(old.publicKey) else {
                throw ValidationError("this device's key is a linked device, not a member key: revoke it and link a new one instead")
            }
            guard let role = try session.ledger.currentRole(of: old.publicKey) else {
                throw ValidationError("\(old.publicKey.fingerprint) is not an active member of this team")
            }
            let fresh = SigningKey.generate()
            let consent = old.sign(KeyRotation.message(team: try session.team(), old: old.publicKey, new: fresh.publicKey))
            if role == .admin {
                // The new key is kept before anything is signed, so a failed push cannot lose it.
                try store.saveNext(fresh)
                try IdentityCommand.rotate(old.publicKey, to: fresh.publicKey, consent: consent, in: session, signer: old)
                if try !session.ledger.remotes().isEmpty {
                    do { try await Sync.push(session, signer: old) } catch {
                        throw ValidationError(
                            "the rotation is signed but the relay did not take it (\(error)): run `mledger sync`, then `mledger identity rotate --finish`"
                        )
                    }
                }
                try store.discardNext()
            }
            try store.replace(with: fresh, passphrase: Passphrase.read)
            if role == .admin {
                print("Rotated: \(fresh.publicKey.fingerprint) replaces \(old.publicKey.fingerprint); run `mledger sync` to tell the relay")
            } else {
                print(
                    """
                    New key \(fresh.publicKey.fingerprint) created; the old one is retired. Ask an admin to run:
                      mledger team rotate \(old.publicKey.hex) --to \(fresh.publicKey.hex) --consent \(Hex.encode(consent))
                    """)
            }
        }
    }

    /// Signs the rotation of `old` to `new` (the admin's half; `consent` is the old key's half).
    static func rotate(_ old: PublicKey, to new: PublicKey, consent: [UInt8], in session: Session, signer: SigningKey) throws {
        guard let role = try session.ledger.currentRole(of: old) else { throw ValidationError("\(old.fingerprint) is not an active member") }
        let end = try session.ledger.chainHead(of: old).seq
        let rotation = KeyRotation(replaces: old, consent: consent, chainEnd: end)
        guard rotation.isConsented(team: try session.team(), new: new) else {
            throw ValidationError("the consent is not the old key's signature for this new key and team")
        }
        try session.ledger.append(try Ledger.Draft(MemberAdd(member: new, role: role, rotation: rotation)), signer: signer)
    }

    /// Creates the identity unless one exists; returns its public key and whether it is new.
    static func ensureIdentity(name: String?, email: String?, encrypt: Bool) throws -> (key: PublicKey, created: Bool) {
        let store = IdentityStore.standard()
        if store.exists {
            let file = try store.read()
            guard let key = PublicKey(hex: file.publicKey) else { throw StoreError.identity("\(store.fileURL.path) is damaged") }
            return (key, false)
        }
        var passphrase: String?
        if encrypt {
            guard let p = Passphrase.read(), !p.isEmpty else {
                throw ValidationError("--encrypt needs a passphrase: set MLEDGER_PASSPHRASE or run in a terminal")
            }
            passphrase = p
        }
        let display = name ?? Shell.output("git", "config", "user.name") ?? ProcessInfo.processInfo.environment["USER"] ?? "anonymous"
        let (key, _) = try store.create(name: display, email: email ?? Shell.output("git", "config", "user.email"), passphrase: passphrase)
        return (key.publicKey, true)
    }
}
