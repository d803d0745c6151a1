import LedgerProtocol

/// Where a promotion request stands, the same on every ledger holding the same events.
public enum RequestState: String, Sendable, Equatable, Codable, CaseIterable {
    /// Waiting for approvals.
    case open
    /// The quorum was reached and the alias moved to the version.
    case approved
    /// A member with the needed role rejected it before the quorum.
    case rejected
    /// The version was archived or the alias moved on before the quorum: approving it would overwrite a
    /// change its approvers never saw.
    case expired
}

/// How one decision on a request was counted.
public enum DecisionCount: Sendable, Equatable {
    /// An approval toward the quorum, or the rejection that blocked the request.
    case counted
    /// Signed after the request was already decided (approved, rejected or expired).
    case late
    /// Did not count, and why (a writer's approval, a removed member's, a second device of one member...).
    case ignored(String)
}

/// One decision on a request and how it was counted.
public struct CountedDecision: Sendable, Equatable {
    public var decision: DecisionRecord
    public var count: DecisionCount
}

/// The outcome of one request: its state, the rule it was judged by, and every decision with how it counted.
public struct PromotionOutcome: Sendable, Equatable {
    public var request: LedgerID
    public var rule: ApprovalRule
    public var state: RequestState
    /// The decisions in merge order, each with how it counted.
    public var decisions: [CountedDecision]
    /// The decision that reached the quorum or blocked the request, if any.
    public var decidedBy: DecisionRecord?
    /// Why it expired.
    public var expiry: String?

    /// Distinct members whose approval counted, as their member keys, in the order they approved.
    public var approvers: [PublicKey]
}
