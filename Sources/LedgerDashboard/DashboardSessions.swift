import LedgerProtocol
import LedgerStore

/// Signed-in browsers. A session is a random cookie value held in memory: restarting the server signs
/// everyone out, which costs one `mledger open` and leaves nothing on disk to steal. Relays that share a
/// database also keep sessions there (`SessionBackend`), so a browser that a load balancer sends to
/// another relay stays signed in.
public actor DashboardSessions {
    public struct Session: Sendable {
        public var owner: SignedIn
        public var viewer: String { owner.viewer }
        /// Carried by every form of this session; see `PageContext.formToken`.
        public var formToken: String
        public var expiresMs: UInt64

        public init(owner: SignedIn, formToken: String, expiresMs: UInt64) {
            self.owner = owner
            self.formToken = formToken
            self.expiresMs = expiresMs
        }
    }

    public static let cookieName = "mledger_session"
    public let lifetimeSeconds: Int
    private var sessions = [String: Session]()
    private let backend: (any SessionBackend)?

    public init(lifetimeSeconds: Int = 12 * 3600, backend: (any SessionBackend)? = nil) {
        self.lifetimeSeconds = lifetimeSeconds
        self.backend = backend
    }

    /// A new session; returns its cookie value.
    func create(for owner: SignedIn, nowMs: UInt64 = wallClockMs()) async throws -> String {
        sessions = sessions.filter { $0.value.expiresMs > nowMs }
        let cookie = Hex.encode(secureRandomBytes(32))
        let session = Session(owner: owner, formToken: Hex.encode(secureRandomBytes(16)), expiresMs: nowMs + UInt64(lifetimeSeconds) * 1000)
        if let backend { try await backend.save(Self.key(cookie), session, nowMs: nowMs) } else { sessions[cookie] = session }
        return cookie
    }

    func session(_ cookie: String?, nowMs: UInt64 = wallClockMs()) async -> Session? {
        guard let cookie, cookie.count == 64 else { return nil }
        // With a backend it decides: a session ended through another relay ends here too.
        let found = backend == nil ? sessions[cookie] : try? await backend?.load(Self.key(cookie))
        guard let s = found else { return nil }
        guard s.expiresMs > nowMs else {
            await end(cookie)
            return nil
        }
        return s
    }

    func end(_ cookie: String?) async {
        guard let cookie else { return }
        sessions[cookie] = nil
        try? await backend?.remove(Self.key(cookie))
    }

    /// What a backend stores instead of the cookie: its SHA-256, so a copy of the database opens no session.
    static func key(_ cookie: String) -> [UInt8] { Hashing.sha256(Array(cookie.utf8)) }
}

/// Where sessions are kept beyond this process: every relay on one database finds a session that any of
/// them created. Keys are SHA-256 hashes of cookies.
public protocol SessionBackend: Sendable {
    /// Stores a session, and forgets those expired by `nowMs`.
    func save(_ key: [UInt8], _ session: DashboardSessions.Session, nowMs: UInt64) async throws
    func load(_ key: [UInt8]) async throws -> DashboardSessions.Session?
    func remove(_ key: [UInt8]) async throws
}
