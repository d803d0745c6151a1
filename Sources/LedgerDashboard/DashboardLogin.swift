import Foundation
import LedgerProtocol
import LedgerStore
import LedgerWeb

/// How a browser proves who it is before it sees any data.
public protocol DashboardLogin: Sendable {
    /// Checks the sign-in link's query; returns who signs in, or throws what is wrong with the link.
    func signIn(_ query: FormData) async throws(LoginRefusal) -> SignedIn
    /// Whether a session opened earlier may still see the dashboard: a member removed since may not.
    func stillAllowed(_ session: SignedIn) async -> Bool
    /// What the sign-in page tells a visitor without a session.
    var howTo: String { get }
}

/// Who a session belongs to.
public struct SignedIn: Sendable {
    public var viewer: String
    /// The device key that signed the sign-in link, if one did.
    public var key: PublicKey?

    public init(viewer: String, key: PublicKey?) {
        self.viewer = viewer
        self.key = key
    }
}

public struct LoginRefusal: Error, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// The relay's sign-in: a link from `mledger open`, signed by the key of a device of a current member,
/// fresh (within five minutes of its signing) and never used before.
public struct SignedLinkLogin: DashboardLogin {
    let ledger: Ledger
    /// Records a link's nonce; false when it was used before. Relays sharing a database share nonces,
    /// so a link works once across all of them.
    let acceptNonce: @Sendable (String, UInt64, UInt64) async throws -> Bool

    public init(ledger: Ledger, acceptNonce: @escaping @Sendable (String, UInt64, UInt64) async throws -> Bool) {
        self.ledger = ledger
        self.acceptNonce = acceptNonce
    }

    public var howTo: String {
        "Run `mledger open` in a workspace that syncs with this relay: it prints a sign-in link, valid for five minutes, signed by your device key."
    }

    public func signIn(_ query: FormData) async throws(LoginRefusal) -> SignedIn {
        guard let link = LoginLink(parameter: { query[$0] }) else {
            throw LoginRefusal("This sign-in link is incomplete. Run `mledger open` again and use the whole link.")
        }
        let now = wallClockMs()
        let time = link.signature.timeMs
        guard time <= now + RequestSignature.maxSkewMs, time + RequestSignature.maxSkewMs >= now else {
            throw LoginRefusal("This sign-in link has expired (links last five minutes). Run `mledger open` again.")
        }
        guard link.isSignedByItsKey else { throw LoginRefusal("This sign-in link's signature is not valid.") }
        let ledger = ledger
        let outcome: Result<SignedIn, LoginRefusal>
        do {
            outcome = try await offload { () throws -> Result<SignedIn, LoginRefusal> in
                guard let team = try ledger.team(), team == link.team else { return .failure(LoginRefusal("This link is for another team's relay.")) }
                guard try ledger.currentRole(of: link.signature.key) != nil else {
                    return .failure(LoginRefusal("Key \(link.signature.key.fingerprint) is not a member of this team, or was removed."))
                }
                return .success(SignedIn(viewer: try ledger.author(link.signature.key).label, key: link.signature.key))
            }
            if case .success = outcome, try await !acceptNonce(link.signature.nonce, time, now) {
                throw LoginRefusal("This sign-in link was already used. Run `mledger open` again for a new one.")
            }
        } catch let refusal as LoginRefusal {
            throw refusal
        } catch {
            throw LoginRefusal("The relay could not check the link: \(error)")
        }
        return try outcome.get()
    }

    public func stillAllowed(_ session: SignedIn) async -> Bool {
        guard let key = session.key else { return false }
        let ledger = ledger
        return (try? await offload { try ledger.currentRole(of: key) != nil }) ?? false
    }
}

/// The local dashboard's sign-in: the secret token in the address `mledger ui` prints, so other users
/// of the machine cannot read or sign through it.
public struct TokenLogin: DashboardLogin {
    let token: String
    let viewer: String
    /// The command that printed the sign-in address, named in the help a signed-out visitor sees.
    let command: String

    public init(token: String, viewer: String, command: String = "mledger ui") {
        self.token = token
        self.viewer = viewer
        self.command = command
    }

    public var howTo: String { "Open the dashboard address `\(command)` printed (it carries a secret token)." }

    public func signIn(_ query: FormData) async throws(LoginRefusal) -> SignedIn {
        guard let given = query["token"], sameSecret(given, token) else {
            throw LoginRefusal("This address's token does not match: use the one `\(command)` printed.")
        }
        return SignedIn(viewer: viewer, key: nil)
    }

    public func stillAllowed(_ session: SignedIn) async -> Bool { true }
}

/// Compares secrets in time that does not depend on where they differ.
func sameSecret(_ a: String, _ b: String) -> Bool {
    let x = Array(a.utf8)
    let y = Array(b.utf8)
    guard x.count == y.count else { return false }
    return zip(x, y).reduce(0) { $0 | ($1.0 ^ $1.1) } == 0
}
