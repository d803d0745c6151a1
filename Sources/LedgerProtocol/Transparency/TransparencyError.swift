/// Why a checkpoint or proof is not acceptable. Each case has a stable `code` (vectors, relay answers,
/// stored evidence) and a message that says what went wrong.
public enum TransparencyError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The note or checkpoint text does not follow C2SP signed-note / tlog-checkpoint.
    case malformedNote(String)
    /// No signature of the expected key verifies: the relay key is wrong or the text was altered.
    case badSignature(key: String)
    case inclusionFailed(String)
    case consistencyFailed(String)
    /// A position or size outside the log.
    case outOfRange(String)
    /// The log's stored hashes could not be read.
    case storage(String)

    public var code: String {
        switch self {
        case .malformedNote: "malformed_note"
        case .badSignature: "bad_checkpoint_signature"
        case .inclusionFailed: "inclusion_failed"
        case .consistencyFailed: "consistency_failed"
        case .outOfRange: "out_of_range"
        case .storage: "log_storage"
        }
    }

    public var description: String {
        switch self {
        case .malformedNote(let why): "malformed signed note: \(why)"
        case .badSignature(let key): "no valid signature of relay key \(key) on the checkpoint: the relay's key changed or the note was altered"
        case .inclusionFailed(let why): "inclusion proof failed: \(why)"
        case .consistencyFailed(let why): "consistency proof failed: \(why)"
        case .outOfRange(let why): "out of range: \(why)"
        case .storage(let why): "cannot read the log's hashes: \(why)"
        }
    }
}
