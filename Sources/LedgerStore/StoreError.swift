import LedgerProtocol

/// Errors of the local store and workspace, each saying what to do about it.
public enum StoreError: Error, Sendable, CustomStringConvertible, Equatable {
    case noWorkspace(searchedFrom: String)
    case workspaceExists(String)
    case database(String)
    case noTeam
    case rejected(EventError)
    case notFound(what: String, name: String)
    case ambiguous(what: String, name: String, candidates: [String])
    case invalidInput(String)
    case identity(String)
    case blob(String)
    /// An upload grew past what this store accepts for one blob.
    case blobTooLarge(limit: UInt64)
    /// Uploaded bytes that do not hash to the name they were sent under.
    case blobMismatch(expected: [UInt8], actual: [UInt8])
    /// A resumed upload that does not continue where the held part of the blob ends.
    case blobOffset(held: UInt64, asked: UInt64)
    /// Another upload of the same blob is under way.
    case blobBusy
    /// A file or folder that must be readable only by its owner could not be written.
    case privateFile(path: String, reason: String)

    private static let listCommand = [
        "run": "mledger run list", "model": "mledger model list", "experiment": "mledger experiment list",
        "version": "mledger model show MODEL",
    ]

    public var description: String {
        switch self {
        case .noWorkspace(let dir):
            "no ModelLedger workspace in \(dir) or any parent folder: run `mledger init` first"
        case .workspaceExists(let dir): "a workspace already exists at \(dir)"
        case .database(let message): "database error: \(message)"
        case .noTeam: "this ledger has no team yet: run `mledger init`"
        case .rejected(let error): error.description
        case .notFound(let what, let name):
            "no \(what) '\(name)' in this ledger" + (Self.listCommand[what].map { ": see `\($0)`" } ?? "")
        case .ambiguous(let what, let name, let candidates):
            "'\(name)' matches several \(what)s (\(candidates.joined(separator: ", "))): give more of the id"
        case .invalidInput(let message): message
        case .identity(let message): message
        case .blob(let message): message
        case .blobTooLarge(let limit): "a blob is limited to \(limit) bytes here; nothing was stored"
        case .blobMismatch(let expected, let actual):
            "the uploaded bytes hash to \(Hex.encode(actual).prefix(12)), not to \(Hex.encode(expected).prefix(12)); nothing was stored"
        case .blobOffset(let held, let asked):
            "the upload continues at byte \(asked) but \(held) bytes of the blob are held: ask again how many bytes are held"
        case .blobBusy: "another upload of this blob is under way: try again once it ends"
        case .privateFile(let path, let reason): "cannot write \(path) (readable only by you): \(reason)"
        }
    }
}
