import CSodium

/// libsodium must be initialised once before use: it picks the fastest implementations for this CPU
/// and seeds its random generator.
enum Sodium {
    private static let initialized: Bool = sodium_init() >= 0

    static func ensureInitialized() {
        precondition(initialized, "libsodium failed to initialise")
    }

    static func randomBytes(_ count: Int) -> [UInt8] {
        ensureInitialized()
        var out = [UInt8](repeating: 0, count: count)
        randombytes_buf(&out, count)
        return out
    }
}

/// Fresh random bytes from the operating system, through libsodium.
public func secureRandomBytes(_ count: Int) -> [UInt8] { Sodium.randomBytes(count) }
