import Foundation

/// A C2SP tlog-checkpoint (c2sp.org/tlog-checkpoint): the log's origin, size and root hash, the three
/// lines a relay signs so members can hold it to what it served.
public struct Checkpoint: Equatable, Hashable, Sendable {
    public var origin: String
    public var size: UInt64
    public var root: [UInt8]

    public init(origin: String, size: UInt64, root: [UInt8]) {
        self.origin = origin
        self.size = size
        self.root = root
    }

    /// The origin (and key name) of a team's log on a relay: one log per team.
    public static func origin(team: LedgerID) -> String { "mledger.log/\(team.hex)" }

    /// The note text: origin, decimal size, base64 root, each ending in a newline.
    public var text: String { "\(origin)\n\(size)\n\(Data(root).base64EncodedString())\n" }

    /// Parses a checkpoint's note text; extension lines are accepted and ignored.
    public init(text: String) throws(TransparencyError) {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        guard text.hasSuffix("\n"), lines.count >= 4, lines.dropLast().allSatisfy({ !$0.isEmpty }) else {
            throw .malformedNote("a checkpoint has at least three non-empty lines")
        }
        let sizeText = String(lines[1])
        guard let size = UInt64(sizeText), String(size) == sizeText else { throw .malformedNote("size '\(sizeText)' is not a decimal number") }
        guard let root = Data(base64Encoded: String(lines[2])), root.count == 32 else {
            throw .malformedNote("root '\(lines[2])' is not a base64 SHA-256 hash")
        }
        self.init(origin: String(lines[0]), size: size, root: [UInt8](root))
    }

    /// The checkpoint of a signed note, its signatures not checked: for a note already verified (or only
    /// shown).
    public init(unverifiedNote note: String) throws(TransparencyError) {
        try self.init(text: try SignedNote(parsing: note).text)
    }

    /// Signs the checkpoint with the relay key, named by the origin as the spec recommends.
    public func signed(with key: SigningKey) -> SignedNote { SignedNote.sign(text: text, name: origin, key: key) }

    /// Parses a signed checkpoint and checks the relay key's signature over it and its origin.
    public static func verified(note: String, origin: String, key: PublicKey) throws(TransparencyError) -> (Checkpoint, SignedNote) {
        let signed = try SignedNote(parsing: note)
        try signed.verify(name: origin, key: key)
        let checkpoint = try Checkpoint(text: signed.text)
        guard checkpoint.origin == origin else { throw .malformedNote("origin '\(checkpoint.origin)', expected '\(origin)'") }
        return (checkpoint, signed)
    }
}
