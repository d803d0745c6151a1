import Foundation

/// One signature line of a signed note: `— <name> base64(key ID || signature)`.
public struct NoteSignature: Equatable, Sendable {
    public var name: String
    public var keyID: UInt32
    public var signature: [UInt8]

    public init(name: String, keyID: UInt32, signature: [UInt8]) {
        self.name = name
        self.keyID = keyID
        self.signature = signature
    }

    var line: String {
        let id = [UInt8(keyID >> 24), UInt8(keyID >> 16 & 0xff), UInt8(keyID >> 8 & 0xff), UInt8(keyID & 0xff)]
        return "\u{2014} \(name) \(Data(id + signature).base64EncodedString())\n"
    }
}

/// A C2SP signed note (c2sp.org/signed-note) with Ed25519 signatures, so checkpoints can be read and
/// checked by existing transparency tooling as well as by ours.
public struct SignedNote: Equatable, Sendable {
    /// The signed text, ending in a newline.
    public var text: String
    public var signatures: [NoteSignature]

    /// The note verifiers accept at most this many signature lines (the spec asks for at least 16).
    public static let maxSignatures = 32

    public init(text: String, signatures: [NoteSignature]) {
        self.text = text
        self.signatures = signatures
    }

    /// The key ID of an Ed25519 key: SHA-256(name || 0x0A || 0x01 || public key)[:4], big-endian.
    public static func keyID(name: String, key: PublicKey) -> UInt32 {
        Hashing.sha256(Array(name.utf8) + [0x0a, 0x01] + key.bytes).prefix(4).reduce(0) { $0 << 8 | UInt32($1) }
    }

    /// The verifier key text `<name>+<hex key ID>+base64(0x01 || public key)` that tools take.
    public static func verifierKey(name: String, key: PublicKey) -> String {
        let id = String(keyID(name: name, key: key), radix: 16)
        return "\(name)+\(String(repeating: "0", count: 8 - id.count))\(id)+\(Data([0x01] + key.bytes).base64EncodedString())"
    }

    /// Reads a verifier key: its name and Ed25519 public key, after checking the key ID matches them.
    public static func parseVerifierKey(_ text: String) throws(TransparencyError) -> (name: String, key: PublicKey) {
        // The name has no '+'; the base64 key may.
        let parts = text.split(separator: "+", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count == 3, !parts[0].isEmpty, let raw = Data(base64Encoded: String(parts[2])), raw.count == 33, raw.first == 0x01,
            let key = PublicKey(bytes: raw.dropFirst()), UInt32(parts[1], radix: 16) == keyID(name: String(parts[0]), key: key), parts[1].count == 8
        else { throw .malformedNote("'\(text.prefix(120))' is not an Ed25519 verifier key <name>+<key id>+<base64 key>") }
        return (String(parts[0]), key)
    }

    /// Signs `text` (which must end in a newline) as `name`.
    public static func sign(text: String, name: String, key: SigningKey) -> SignedNote {
        let signature = key.sign(Array(text.utf8))
        return SignedNote(text: text, signatures: [NoteSignature(name: name, keyID: keyID(name: name, key: key.publicKey), signature: signature)])
    }

    public var encoded: String { text + "\n" + signatures.map(\.line).joined() }

    /// Parses a note: the text is everything up to the last blank line, the rest are signature lines.
    public init(parsing note: String) throws(TransparencyError) {
        guard note.utf8.allSatisfy({ $0 >= 0x20 || $0 == 0x0a }) else { throw .malformedNote("control character in the note") }
        guard note.hasSuffix("\n"), let split = note.range(of: "\n\n", options: .backwards) else {
            throw .malformedNote("no blank line before the signatures, or no final newline")
        }
        text = String(note[..<split.lowerBound]) + "\n"
        let lines = note[split.upperBound...].dropLast().split(separator: "\n", omittingEmptySubsequences: false)
        guard !lines.isEmpty, lines.count <= Self.maxSignatures else { throw .malformedNote("\(lines.count) signature lines") }
        signatures = try lines.map { line throws(TransparencyError) in
            let parts = line.split(separator: " ", omittingEmptySubsequences: false)
            guard parts.count == 3, parts[0] == "\u{2014}", !parts[1].isEmpty, !parts[1].contains("+"),
                let raw = Data(base64Encoded: String(parts[2])), raw.count > 4
            else { throw .malformedNote("bad signature line '\(line)'") }
            let bytes = [UInt8](raw)
            return NoteSignature(
                name: String(parts[1]), keyID: bytes.prefix(4).reduce(0) { $0 << 8 | UInt32($1) }, signature: Array(bytes.dropFirst(4)))
        }
    }

    /// Checks the signature of the key named `name`; signatures of other keys are ignored, as the spec asks.
    public func verify(name: String, key: PublicKey) throws(TransparencyError) {
        let id = Self.keyID(name: name, key: key)
        let mine = signatures.filter { $0.name == name && $0.keyID == id }
        guard !mine.isEmpty, mine.allSatisfy({ key.verify(signature: $0.signature, message: Array(text.utf8)) }) else {
            throw .badSignature(key: key.fingerprint)
        }
    }
}
