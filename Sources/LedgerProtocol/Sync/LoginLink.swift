/// A short-lived sign-in address for a relay's dashboard. It is a request signature (see
/// `RequestSignature`) by a device key over the method `LOGIN` and the team and page it opens, carried
/// in the query string instead of headers. The relay accepts it within `RequestSignature.maxSkewMs` of
/// its signing time and once only (its nonce), then hands the browser a session cookie.
public struct LoginLink: Sendable, Equatable {
    public static let path = "/login"
    public static let method = "LOGIN"

    public var team: LedgerID
    /// The dashboard page to open after signing in: a path on the relay.
    public var next: String
    public var signature: RequestSignature

    public static func sign(team: LedgerID, next: String, key: SigningKey, nowMs: UInt64) -> LoginLink {
        LoginLink(
            team: team, next: next,
            signature: .sign(
                method: method, target: signedTarget(team, next), bodySHA256: [], audience: nil,
                key: key, nowMs: nowMs))
    }

    /// The query parameters, unencoded.
    public var queryItems: [(String, String)] {
        [("team", team.hex), ("next", next)]
            + signature.headers.map { name, value in
                (name.replacingOccurrences(of: "X-Mledger-", with: "").lowercased(), value)
            }
    }

    /// Reads a link's parameters; nil when any is missing or malformed.
    public init?(parameter: (String) -> String?) {
        guard let team = parameter("team").flatMap(LedgerID.init(hex:)), let next = parameter("next"),
            let signature = RequestSignature(
                key: parameter("key"), time: parameter("time"), nonce: parameter("nonce"),
                signature: parameter("signature"))
        else { return nil }
        self.init(team: team, next: next, signature: signature)
    }

    public init(team: LedgerID, next: String, signature: RequestSignature) {
        self.team = team
        self.next = next
        self.signature = signature
    }

    /// The signature matches the key, team and page; freshness and the nonce are the relay's to check.
    public var isSignedByItsKey: Bool {
        signature.isValid(method: Self.method, target: Self.signedTarget(team, next), bodySHA256: [], audience: nil)
    }

    private static func signedTarget(_ team: LedgerID, _ next: String) -> String { "\(team.hex)\n\(next)" }
}
