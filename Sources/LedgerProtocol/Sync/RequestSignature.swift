/// Authenticates an HTTP request with the device's own key. The signed message names the relay and
/// the team the request is for, and binds the method, path and query, a timestamp, a random nonce and
/// the SHA-256 of the body:
///
///     mledger-request-v2 \n RELAY_ID \n TEAM \n METHOD \n PATH?QUERY \n TIMESTAMP_MS \n NONCE \n BODY_SHA256_HEX
///
/// sent as the headers `X-Mledger-Key`, `X-Mledger-Time`, `X-Mledger-Nonce`, `X-Mledger-Signature` and
/// `X-Mledger-Body-SHA256` (all hex but the time). Everything the relay checks is in the headers, so it
/// authenticates a request before it reads a byte of its body, then refuses a body that does not hash
/// to the signed value. The relay accepts a timestamp within `maxSkewMs` of its clock and each nonce
/// once, and only requests naming itself and its team, so a captured request cannot be replayed, to it
/// or to another relay.
public struct RequestSignature: Sendable, Equatable {
    public static let maxSkewMs: UInt64 = 5 * 60 * 1000
    public enum Header {
        public static let key = "X-Mledger-Key"
        public static let time = "X-Mledger-Time"
        public static let nonce = "X-Mledger-Nonce"
        public static let signature = "X-Mledger-Signature"
        public static let bodySHA256 = "X-Mledger-Body-SHA256"
    }

    /// The relay and team a sync request is for, as the relay announces them (`GET /v1/relay`).
    public struct Audience: Sendable, Equatable {
        /// The relay's id: 32 random bytes it made once.
        public var relay: [UInt8]
        /// The relay's team; nil while it has none (it adopts the first genesis pushed to it).
        public var team: LedgerID?

        public init(relay: [UInt8], team: LedgerID?) {
            self.relay = relay
            self.team = team
        }
    }

    public var key: PublicKey
    public var timeMs: UInt64
    public var nonce: String
    public var signature: [UInt8]

    /// The signed message. A sync request names its `audience` (tag `mledger-request-v2`); a dashboard
    /// sign-in link has none and names its team in its target instead (tag `mledger-request-v1`). A blob
    /// upload signs the blob's SHA-256 (named in its path) as the body hash, so neither side has to hold
    /// the whole blob in memory to authenticate it.
    public static func message(method: String, target: String, timeMs: UInt64, nonce: String, bodySHA256: [UInt8], audience: Audience?) -> [UInt8] {
        let head = audience.map { ["mledger-request-v2", Hex.encode($0.relay), $0.team?.hex ?? ""] } ?? ["mledger-request-v1"]
        return Array((head + [method, target, String(timeMs), nonce, Hex.encode(bodySHA256)]).joined(separator: "\n").utf8)
    }

    /// Signs a request; `target` is the path with its query string.
    public static func sign(
        method: String, target: String, bodySHA256: [UInt8], audience: Audience?, key: SigningKey, nowMs: UInt64
    ) -> RequestSignature {
        let nonce = Hex.encode(secureRandomBytes(16))
        let message = message(method: method, target: target, timeMs: nowMs, nonce: nonce, bodySHA256: bodySHA256, audience: audience)
        return RequestSignature(key: key.publicKey, timeMs: nowMs, nonce: nonce, signature: key.sign(message))
    }

    /// Signs a sync request and returns the five headers to send with it.
    public static func headers(
        method: String, target: String, bodySHA256: [UInt8], audience: Audience, key: SigningKey, nowMs: UInt64
    ) -> [(String, String)] {
        sign(method: method, target: target, bodySHA256: bodySHA256, audience: audience, key: key, nowMs: nowMs).headers
            + [(Header.bodySHA256, Hex.encode(bodySHA256))]
    }

    /// The four headers of the signature itself (a sync request adds `X-Mledger-Body-SHA256`).
    public var headers: [(String, String)] {
        [(Header.key, key.hex), (Header.time, String(timeMs)), (Header.nonce, nonce), (Header.signature, Hex.encode(signature))]
    }

    /// Parses the four headers; nil when any is missing or malformed.
    public init?(key: String?, time: String?, nonce: String?, signature: String?) {
        guard let k = key.flatMap(PublicKey.init(hex:)), let t = time.flatMap(UInt64.init),
            let n = nonce, (16...64).contains(n.count), n.allSatisfy(\.isHexDigit),
            let s = signature.flatMap(Hex.decode), s.count == 64
        else { return nil }
        self.init(key: k, timeMs: t, nonce: n, signature: s)
    }

    public init(key: PublicKey, timeMs: UInt64, nonce: String, signature: [UInt8]) {
        self.key = key
        self.timeMs = timeMs
        self.nonce = nonce
        self.signature = signature
    }

    public func isValid(method: String, target: String, bodySHA256: [UInt8], audience: Audience?) -> Bool {
        key.verify(
            signature: signature,
            message: Self.message(
                method: method, target: target, timeMs: timeMs, nonce: nonce,
                bodySHA256: bodySHA256, audience: audience))
    }
}
