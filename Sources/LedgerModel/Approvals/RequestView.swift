import LedgerProtocol

/// A promotion request as the CLI (`--json`), `model show` and the dashboards show it: what was asked,
/// by whom, the rule it is judged by, every decision with how it counted, and the outcome.
public struct RequestView: Codable, Sendable, Equatable {
    public var id: String
    public var model: String
    public var modelName: String
    public var version: String
    public var versionNumber: UInt64?
    public var alias: String
    public var requestedBy: AuthorView
    public var at: Int64
    public var reason: String
    public var evidence: [String]
    public var state: RequestState
    public var rule: ApprovalRule
    /// Distinct members whose approval counted.
    public var approvals: Int
    public var decisions: [DecisionView]
    /// When the quorum was reached (approved) or the request was blocked (rejected).
    public var decidedAt: Int64?
    /// The decision that reached the quorum or blocked the request.
    public var decidedBy: String?
    public var expiry: String?

    public init(
        id: String, model: String, modelName: String, version: String, versionNumber: UInt64?, alias: String, requestedBy: AuthorView,
        at: Int64, reason: String, evidence: [String], state: RequestState, rule: ApprovalRule, approvals: Int, decisions: [DecisionView],
        decidedAt: Int64?, decidedBy: String? = nil, expiry: String?
    ) {
        self.decidedBy = decidedBy
        self.id = id
        self.model = model
        self.modelName = modelName
        self.version = version
        self.versionNumber = versionNumber
        self.alias = alias
        self.requestedBy = requestedBy
        self.at = at
        self.reason = reason
        self.evidence = evidence
        self.state = state
        self.rule = rule
        self.approvals = approvals
        self.decisions = decisions
        self.decidedAt = decidedAt
        self.expiry = expiry
    }

    /// "approved: 2 of 2 approvals (maintainer, not the requester)" with the expiry, for one line of text.
    public var summary: String { "\(state.rawValue): \(progress)\(expiry.map { "; \($0)" } ?? "")" }

    /// "2 of 2 approvals (maintainer, not the requester)".
    public var progress: String {
        "\(approvals) of \(rule.approvals) approval\(rule.approvals == 1 ? "" : "s") (\(rule.role.rawValue)\(rule.notRequester ? ", not the requester" : ""))"
    }
}

/// One approval or rejection of a request.
public struct DecisionView: Codable, Sendable, Equatable {
    public var event: String
    public var author: AuthorView
    public var verdict: PromotionDecision.Verdict
    public var reason: String
    public var at: Int64
    /// It counted toward the quorum, or was the rejection that blocked the request.
    public var counted: Bool
    /// Why it did not count, when it did not.
    public var note: String?

    public init(event: String, author: AuthorView, verdict: PromotionDecision.Verdict, reason: String, at: Int64, counted: Bool, note: String?) {
        self.event = event
        self.author = author
        self.verdict = verdict
        self.reason = reason
        self.at = at
        self.counted = counted
        self.note = note
    }

    public init(_ d: DecisionRecord, _ count: DecisionCount, author: AuthorView) {
        let note: String? =
            switch count {
            case .counted: nil
            case .late: "after the request was decided"
            case .ignored(let why): why
            }
        self.init(
            event: d.id.hex, author: author, verdict: d.body.verdict, reason: d.body.reason, at: Int64(HybridClock.milliseconds(d.order.clock)),
            counted: count == .counted, note: note)
    }
}
