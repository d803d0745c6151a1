import ArgumentParser
import Foundation
import LedgerProtocol
import LedgerStore

struct IdentityCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "identity",
        abstract: "Show or create this device's signing identity.",
        discussion: """
            The identity is an Ed25519 key kept in the user's config directory ($MLEDGER_CONFIG_DIR,
            $XDG_CONFIG_HOME/mledger or ~/.config/mledger), readable only by you. Each device has its own
            key; never copy it to another machine.
            """,
        subcommands: [Show.self, Create.self, Link.self]
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
            let view = View(publicKey: key.hex, fingerprint: key.fingerprint, name: file.name, email: file.email,
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

    struct Link: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Link another device's key to you (run on the device whose key is your member key).",
            usage: "mledger identity link 5b1e...9a --label 'gpu node'",
            discussion: """
                The new device keeps its own key (`mledger identity create` there, then `identity show`);
                once this link is synced, the relay and every client treat its events as yours, with your
                role. One key never lives on two machines.
                """
        )
        @Argument(help: "The other device's public key (hex).") var key: String
        @Option(help: "A name for the device.") var label: String?

        func run() throws {
            guard let device = PublicKey(hex: key) else { throw ValidationError("KEY must be 64 hex digits, as `mledger identity show` prints") }
            try Session.open().append(DeviceLink(device: device, label: label))
            print("Linked \(device.fingerprint)\(label.map { " (\($0))" } ?? ""); run `mledger sync` to tell the relay")
        }
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
