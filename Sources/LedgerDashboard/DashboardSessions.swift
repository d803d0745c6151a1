import LedgerProtocol
import LedgerStore

/// Signed-in browsers. A session is a random cookie value held in memory: restarting the server signs
/// everyone out, which costs one `mledger open` and leaves nothing on disk to steal.
public actor DashboardSessions {
    public struct Session: Sendable {
        public var owner: SignedIn
        public var viewer: String { owner.viewer }
        /// Carried by every form of this session; see `PageContext.formToken`.
        public var formToken: String
        var expiresMs: UInt64
    }

    public static let cookieName = "mledger_session"
    public let lifetimeSeconds: Int
    private var sessions = [String: Session]()

    public init(lifetimeSeconds: Int = 12 * 3600) { self.lifetimeSeconds = lifetimeSeconds }

    /// A new session; returns its cookie value.
    func create(for owner: SignedIn, nowMs: UInt64 = wallClockMs()) -> String {
        sessions = sessions.filter { $0.value.expiresMs > nowMs }
        let cookie = Hex.encode(secureRandomBytes(32))
        sessions[cookie] = Session(
            owner: owner, formToken: Hex.encode(secureRandomBytes(16)),
            expiresMs: nowMs + UInt64(lifetimeSeconds) * 1000)
        return cookie
    }

    func session(_ cookie: String?, nowMs: UInt64 = wallClockMs()) -> Session? {
        guard let cookie, let s = sessions[cookie] else { return nil }
        guard s.expiresMs > nowMs else {
            sessions[cookie] = nil
            return nil
        }
        return s
    }

    func end(_ cookie: String?) {
        if let cookie { sessions[cookie] = nil }
    }
}
