/// Authenticates an HTTP request with the device's own key. The signed message binds the method,
/// path and query, a timestamp, a random nonce and the SHA-256 of the body:
///
///     mledger-request-v1 \n METHOD \n PATH?QUERY \n TIMESTAMP_MS \n NONCE \n BODY_SHA256_HEX
///
/// sent as the headers `X-Mledger-Key`, `X-Mledger-Time`, `X-Mledger-Nonce`, `X-Mledger-Signature` and
/// `X-Mledger-Body-SHA256` (all hex but the time). Everything the relay checks is in the headers, so it
/// authenticates a request before it reads a byte of its body, then refuses a body that does not hash
/// to the signed value. The relay accepts a timestamp within `maxSkewMs` of its clock and each nonce
/// once, so a captured request cannot be replayed.
public struct RequestSignature: Sendable, Equatable {
    public static let maxSkewMs: UInt64 = 5 * 60 * 1000
    public enum Header {
        public static let key = "X-Mledger-Key"
        public static let time = "X-Mledger-Time"
        public static let nonce = "X-Mledger-Nonce"
        public static let signature = "X-Mledger-Signature"
        public static let bodySHA256 = "X-Mledger-Body-SHA256"
    }

    public var key: PublicKey
    public var timeMs: UInt64
    public var nonce: String
    public var signature: [UInt8]

    /// The signed message. A blob upload signs the blob's SHA-256 (named in its path) as the body hash, so
    /// neither side has to hold the whole blob in memory to authenticate it.
    public static func message(method: String, target: String, timeMs: UInt64, nonce: String, bodySHA256: [UInt8]) -> [UInt8] {
        Array("mledger-request-v1\n\(method)\n\(target)\n\(timeMs)\n\(nonce)\n\(Hex.encode(bodySHA256))".utf8)
    }

    /// Signs a request; `target` is the path with its query string.
    public static func sign(method: String, target: String, bodySHA256: [UInt8], key: SigningKey, nowMs: UInt64) -> RequestSignature {
        let nonce = Hex.encode(secureRandomBytes(16))
        let message = message(method: method, target: target, timeMs: nowMs, nonce: nonce, bodySHA256: bodySHA256)
        return RequestSignature(key: key.publicKey, timeMs: nowMs, nonce: nonce, signature: key.sign(message))
    }

    /// Signs a sync request and returns the five headers to send with it.
    public static func headers(method: String, target: String, bodySHA256: [UInt8], key: SigningKey, nowMs: UInt64) -> [(String, String)] {
        sign(method: method, target: target, bodySHA256: bodySHA256, key: key, nowMs: nowMs).headers + [(Header.bodySHA256, Hex.encode(bodySHA256))]
    }

    /// The four headers of the signature itself (a sync request adds `X-Mledger-Body-SHA256`).
    public var headers: [(String, String)] {
        [(Header.key, key.hex), (Header.time, String(timeMs)), (Header.nonce, nonce), (Header.signature, Hex.encode(signature))]
    }

    /// Parses the four headers; nil when any is missing or malformed.
    public init?(key: String?, time: String?, nonce: String?, signature: String?) {
        guard let k = key.flatMap(PublicKey.init(hex:)), let t = time.flatMap(UInt64.init),
              let n = nonce, (16...64).contains(n.count), n.allSatisfy(\.isHexDigit),
              let s = signature.flatMap(Hex.decode), s.count == 64 else { return nil }
        self.init(key: k, timeMs: t, nonce: n, signature: s)
    }

    public init(key: PublicKey, timeMs: UInt64, nonce: String, signature: [UInt8]) {
        self.key = key; self.timeMs = timeMs; self.nonce = nonce; self.signature = signature
    }

    public func isValid(method: String, target: String, bodySHA256: [UInt8]) -> Bool {
        key.verify(signature: signature, message: Self.message(method: method, target: target, timeMs: timeMs, nonce: nonce, bodySHA256: bodySHA256))
    }
}
