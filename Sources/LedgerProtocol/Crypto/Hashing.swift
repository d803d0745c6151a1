import CSodium

/// The hash functions of the protocol: BLAKE2b-256 names events and entities, SHA-256 names artifact
/// blobs (so users can check a file with `sha256sum`).
public enum Hashing {
    public static func blake2b256(_ message: [UInt8]) -> LedgerID {
        Sodium.ensureInitialized()
        var out = [UInt8](repeating: 0, count: 32)
        message.withUnsafeBufferPointer { m in
            _ = crypto_generichash(&out, 32, m.baseAddress, UInt64(m.count), nil, 0)
        }
        return LedgerID(unchecked: out)
    }

    public static func sha256(_ message: [UInt8]) -> [UInt8] {
        var stream = SHA256Stream()
        stream.update(message)
        return stream.finish()
    }
}

/// SHA-256 over data that arrives in pieces, such as a large artifact file.
public struct SHA256Stream {
    private var state = crypto_hash_sha256_state()

    public init() {
        Sodium.ensureInitialized()
        crypto_hash_sha256_init(&state)
    }

    public mutating func update(_ bytes: UnsafeRawBufferPointer) {
        let p = bytes.bindMemory(to: UInt8.self)
        _ = crypto_hash_sha256_update(&state, p.baseAddress, UInt64(p.count))
    }

    public mutating func update(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { update($0) }
    }

    public mutating func finish() -> [UInt8] {
        var out = [UInt8](repeating: 0, count: 32)
        crypto_hash_sha256_final(&state, &out)
        return out
    }
}
