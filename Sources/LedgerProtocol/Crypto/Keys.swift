import CSodium

/// An Ed25519 public key: the identity of one device.
public struct PublicKey: Hashable, Comparable, Sendable, CustomStringConvertible {
    public let bytes: [UInt8]

    public init?<C: Collection>(bytes: C) where C.Element == UInt8 {
        guard bytes.count == 32 else { return nil }
        self.bytes = Array(bytes)
    }

    public init?(hex: String) {
        guard let b = Hex.decode(hex) else { return nil }
        self.init(bytes: b)
    }

    public var hex: String { Hex.encode(bytes) }

    /// A short, stable name for a key that people can read aloud and compare: 4 groups of 4 hex digits.
    public var fingerprint: String {
        let h = hex
        return stride(from: 0, to: 16, by: 4).map { i in
            String(h[h.index(h.startIndex, offsetBy: i)..<h.index(h.startIndex, offsetBy: i + 4)])
        }.joined(separator: ":")
    }

    public var description: String { hex }

    /// Checks an Ed25519 signature over `message`.
    public func verify(signature: [UInt8], message: [UInt8]) -> Bool {
        guard signature.count == 64 else { return false }
        Sodium.ensureInitialized()
        return message.withUnsafeBufferPointer { m in
            crypto_sign_verify_detached(signature, m.baseAddress, UInt64(m.count), bytes) == 0
        }
    }

    public static func < (a: PublicKey, b: PublicKey) -> Bool { a.bytes.lexicographicallyPrecedes(b.bytes) }

    /// Hashes the bytes as one block (the synthesized version feeds them to the hasher one at a time).
    public func hash(into hasher: inout Hasher) { bytes.withUnsafeBytes { hasher.combine(bytes: $0) } }
}

/// An Ed25519 signing key. Its 32-byte seed is all that needs to be stored.
public struct SigningKey: Sendable {
    public let seed: [UInt8]
    public let publicKey: PublicKey
    private let secret: [UInt8]

    /// Derives the key pair from a 32-byte seed; nil if the seed has the wrong length.
    public init?(seed: [UInt8]) {
        guard seed.count == 32 else { return nil }
        Sodium.ensureInitialized()
        var pk = [UInt8](repeating: 0, count: 32)
        var sk = [UInt8](repeating: 0, count: 64)
        crypto_sign_seed_keypair(&pk, &sk, seed)
        guard let publicKey = PublicKey(bytes: pk) else { return nil }
        self.seed = seed
        self.secret = sk
        self.publicKey = publicKey
    }

    /// A new key from the operating system's randomness.
    public static func generate() -> SigningKey {
        // A 32-byte seed always yields a key.
        SigningKey(seed: Sodium.randomBytes(32))!
    }

    public func sign(_ message: [UInt8]) -> [UInt8] {
        var sig = [UInt8](repeating: 0, count: 64)
        message.withUnsafeBufferPointer { m in
            _ = crypto_sign_detached(&sig, nil, m.baseAddress, UInt64(m.count), secret)
        }
        return sig
    }
}
