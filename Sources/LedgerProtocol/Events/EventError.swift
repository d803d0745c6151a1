/// Why an event is not acceptable. Each case has a stable `code` that test vectors, the relay's
/// answers and `mledger verify` use, and a message that says what is wrong.
public enum EventError: Error, Equatable, Sendable, CustomStringConvertible {
    case malformed(String)
    case oversized(size: Int, limit: Int)
    case unknownKind(String)
    case badSignature
    case invalidBody(kind: String, reason: String)
    case wrongTeam(expected: LedgerID, got: LedgerID)
    case seqGap(expected: UInt64, got: UInt64)
    case wrongPrev(seq: UInt64)
    case clockInFuture(eventMs: UInt64, nowMs: UInt64)
    /// The clock is not above the clock of the author's previous event: a chain's clocks only grow.
    case staleClock(seq: UInt64)
    /// The author's chain is forked and this event is past what a receiver keeps of a forked chain.
    case forkedChain(String)
    /// The author is not a member, was removed, or lacks the role this event needs.
    case forbidden(String)
    /// A direct `model.promote` of an alias whose protection asks for approvals: it moves only through a
    /// promotion request (SPEC 6.15).
    case approvalRequired(alias: String, approvals: Int)
    /// The event names a run the receiver does not hold (SPEC 8.1 step 19): refused where roles are
    /// enforced, and accepted once the run's `run.start` arrives.
    case unknownRun(LedgerID)

    public var code: String {
        switch self {
        case .malformed: "malformed"
        case .oversized: "oversized"
        case .unknownKind: "unknown_kind"
        case .badSignature: "bad_signature"
        case .invalidBody: "invalid_body"
        case .wrongTeam: "wrong_team"
        case .seqGap: "seq_gap"
        case .wrongPrev: "wrong_prev"
        case .clockInFuture: "clock_in_future"
        case .staleClock: "stale_clock"
        case .forkedChain: "forked_chain"
        case .forbidden: "forbidden"
        case .approvalRequired: "approval_required"
        case .unknownRun: "unknown_run"
        }
    }

    public var description: String {
        switch self {
        case .malformed(let why): "malformed event: \(why)"
        case .oversized(let size, let limit): "event is \(size) bytes, over the limit of \(limit)"
        case .unknownKind(let kind): "unknown event kind '\(kind)'"
        case .badSignature: "signature does not match the event bytes and author key"
        case .invalidBody(let kind, let reason): "invalid \(kind) body: \(reason)"
        case .wrongTeam(let expected, let got): "event belongs to team \(got.short), not \(expected.short)"
        case .seqGap(let expected, let got): "sequence gap: expected seq \(expected), got \(got)"
        case .wrongPrev(let seq): "prev of seq \(seq) does not name the author's event at seq \(seq - 1)"
        case .clockInFuture(let eventMs, let nowMs):
            "clock is \((eventMs - nowMs) / 1000) s in the future"
        case .staleClock(let seq): "clock of seq \(seq) is not above the clock of the author's event at seq \(seq - 1)"
        case .forkedChain(let why): "forked chain: \(why)"
        case .forbidden(let why): "forbidden: \(why)"
        case .approvalRequired(let alias, let approvals):
            "'\(alias)' moves only with \(approvals) approval\(approvals == 1 ? "" : "s"): open a request (`mledger model request`) instead"
        case .unknownRun(let run): "run \(run.short) is not known here: its start must arrive first"
        }
    }
}
