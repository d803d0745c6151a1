import Foundation
import LedgerProtocol

/// This device's signing identity, kept in the user's config directory (shared by all workspaces):
/// `$MLEDGER_CONFIG_DIR`, else `$XDG_CONFIG_HOME/mledger`, else `~/.config/mledger`. The file is
/// readable by its owner only (0600) and the key may be sealed under a passphrase.
public struct IdentityStore: Sendable {
    /// What `identity.json` holds: the public key in the clear, the seed either plain or sealed.
    public struct File: Codable, Sendable {
        public var version = 1
        public var publicKey: String
        public var seed: String?
        public var sealed: PassphraseSeal?
        public var name: String
        public var email: String?
    }

    public let directory: URL
    let fileName: String
    public var fileURL: URL { directory.appendingPathComponent(fileName) }

    public init(directory: URL) { self.init(directory: directory, fileName: "identity.json") }

    init(directory: URL, fileName: String) {
        self.directory = directory
        self.fileName = fileName
    }

    public static func standard(environment: [String: String] = ProcessInfo.processInfo.environment) -> IdentityStore {
        if let dir = environment["MLEDGER_CONFIG_DIR"], !dir.isEmpty { return IdentityStore(directory: URL(fileURLWithPath: dir)) }
        if let xdg = environment["XDG_CONFIG_HOME"], !xdg.isEmpty {
            return IdentityStore(directory: URL(fileURLWithPath: xdg).appendingPathComponent("mledger"))
        }
        let home = environment["HOME"] ?? NSHomeDirectory()
        return IdentityStore(directory: URL(fileURLWithPath: home).appendingPathComponent(".config/mledger"))
    }

    public var exists: Bool { FileManager.default.fileExists(atPath: fileURL.path) }

    public func read() throws(StoreError) -> File {
        guard let data = FileManager.default.contents(atPath: fileURL.path) else {
            throw .identity("no identity at \(fileURL.path): run `mledger identity create` or `mledger init`")
        }
        do { return try JSONDecoder().decode(File.self, from: data) } catch {
            throw .identity("\(fileURL.path) is not a valid identity file: \(error)")
        }
    }

    /// Loads the signing key; `passphrase` is asked only when the key is sealed.
    public func load(passphrase: () -> String?) throws(StoreError) -> SigningKey {
        let file = try read()
        let seed: [UInt8]?
        if let sealed = file.sealed {
            guard let pass = passphrase() else {
                throw .identity("the identity key is passphrase-protected: set MLEDGER_PASSPHRASE or run in a terminal")
            }
            guard let opened = sealed.open(passphrase: pass) else { throw .identity("wrong passphrase for \(fileURL.path)") }
            seed = opened
        } else {
            seed = file.seed.flatMap(Hex.decode)
        }
        guard let seed, let key = SigningKey(seed: seed), key.publicKey.hex == file.publicKey else {
            throw .identity("\(fileURL.path) holds a damaged key: its seed does not give its public key")
        }
        return key
    }

    /// Creates a new identity; refuses to overwrite one (a lost key cannot be recovered).
    @discardableResult
    public func create(name: String, email: String?, passphrase: String?, seed: [UInt8]? = nil) throws(StoreError) -> (SigningKey, File) {
        if exists { throw .identity("an identity already exists at \(fileURL.path)") }
        let key = seed.flatMap(SigningKey.init(seed:)) ?? SigningKey.generate()
        var file = File(publicKey: key.publicKey.hex, name: name, email: email)
        if let passphrase {
            guard let sealed = PassphraseSeal.seal(key.seed, passphrase: passphrase) else {
                throw .identity("could not derive a key from the passphrase (out of memory?): nothing was written")
            }
            file.sealed = sealed
        } else {
            file.seed = Hex.encode(key.seed)
        }
        try write(file)
        return (key, file)
    }

    /// A new key waiting for its rotation to reach the relay (`identity.next.json`, owner-only).
    private var next: IdentityStore { IdentityStore(directory: directory, fileName: "identity.next.json") }

    public func saveNext(_ key: SigningKey) throws(StoreError) {
        try next.create(name: "next", email: nil, passphrase: nil, seed: key.seed)
    }

    public func loadNext(passphrase: () -> String?) throws(StoreError) -> SigningKey { try next.load(passphrase: passphrase) }

    public func discardNext() throws(StoreError) {
        guard next.exists else { return }
        do { try FileManager.default.removeItem(at: next.fileURL) } catch {
            throw .identity("cannot remove \(next.fileURL.path): \(error.localizedDescription)")
        }
    }

    /// Retires the current key (its file is kept as identity.retired-FINGERPRINT.json) and puts `key` in
    /// its place with the same name and email, sealed under a passphrase again if the old one was.
    public func replace(with key: SigningKey, passphrase: () -> String?) throws(StoreError) {
        let old = try read()
        var pass: String?
        if old.sealed != nil {
            guard let p = passphrase() else {
                throw .identity("the new key must be sealed like the old one: set MLEDGER_PASSPHRASE or run in a terminal")
            }
            pass = p
        }
        let retired = directory.appendingPathComponent("identity.retired-\(old.publicKey.prefix(16)).json")
        do { try FileManager.default.moveItem(at: fileURL, to: retired) } catch {
            throw .identity("cannot retire \(fileURL.path): \(error.localizedDescription)")
        }
        try create(name: old.name, email: old.email, passphrase: pass, seed: key.seed)
    }

    public func write(_ file: File) throws(StoreError) {
        let fm = FileManager.default
        do {
            try fm.createDirectory(at: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            let data = try encoder.encode(file)
            // The key file is 0600 from its first byte, then renamed over the old one.
            try PrivateFile.write(data, to: fileURL)
        } catch {
            throw error as? StoreError ?? .identity("cannot write \(fileURL.path): \(error.localizedDescription)")
        }
    }
}
