import CSodium

/// Seals a secret under a passphrase: Argon2id derives a key from the passphrase and a random salt,
/// and XSalsa20-Poly1305 (secretbox) encrypts and authenticates the secret with it.
public struct PassphraseSeal: Sendable, Equatable, Codable {
    public var salt: [UInt8]
    public var nonce: [UInt8]
    public var ciphertext: [UInt8]
    public var opsLimit: UInt64
    public var memLimit: UInt64

    /// Nil only when the key derivation fails (out of memory): nothing is sealed under a weak key.
    public static func seal(_ secret: [UInt8], passphrase: String) -> PassphraseSeal? {
        Sodium.ensureInitialized()
        let salt = Sodium.randomBytes(Int(crypto_pwhash_saltbytes()))
        let nonce = Sodium.randomBytes(Int(crypto_secretbox_noncebytes()))
        let ops = UInt64(crypto_pwhash_opslimit_interactive())
        let mem = UInt64(crypto_pwhash_memlimit_interactive())
        guard let key = deriveKey(passphrase, salt: salt, ops: ops, mem: mem) else { return nil }
        var ciphertext = [UInt8](repeating: 0, count: secret.count + Int(crypto_secretbox_macbytes()))
        crypto_secretbox_easy(&ciphertext, secret, UInt64(secret.count), nonce, key)
        return PassphraseSeal(salt: salt, nonce: nonce, ciphertext: ciphertext, opsLimit: ops, memLimit: mem)
    }

    /// The secret, or nil when the passphrase is wrong or the data was altered.
    public func open(passphrase: String) -> [UInt8]? {
        let mac = Int(crypto_secretbox_macbytes())
        guard ciphertext.count >= mac, nonce.count == Int(crypto_secretbox_noncebytes()),
            salt.count == Int(crypto_pwhash_saltbytes()), memLimit <= UInt64(Int.max),
            let key = Self.deriveKey(passphrase, salt: salt, ops: opsLimit, mem: memLimit)
        else { return nil }
        var plain = [UInt8](repeating: 0, count: ciphertext.count - mac)
        guard crypto_secretbox_open_easy(&plain, ciphertext, UInt64(ciphertext.count), nonce, key) == 0 else { return nil }
        return plain
    }

    private static func deriveKey(_ passphrase: String, salt: [UInt8], ops: UInt64, mem: UInt64) -> [UInt8]? {
        Sodium.ensureInitialized()
        var key = [UInt8](repeating: 0, count: 32)
        let pw = Array(passphrase.utf8)
        let rc = pw.withUnsafeBufferPointer { p in
            p.baseAddress.map { base in
                base.withMemoryRebound(to: CChar.self, capacity: pw.count) { c in
                    crypto_pwhash(&key, 32, c, UInt64(pw.count), salt, ops, Int(mem), crypto_pwhash_alg_argon2id13())
                }
            } ?? crypto_pwhash(&key, 32, "", 0, salt, ops, Int(mem), crypto_pwhash_alg_argon2id13())
        }
        return rc == 0 ? key : nil
    }
}
