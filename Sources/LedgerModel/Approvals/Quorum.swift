import LedgerProtocol

/// Tallies the decisions on one request in merge order (SPEC 6.15): the first moment a quorum of distinct
/// members with the needed role approved, or a member with that role rejected. Each decision is judged by
/// its author's role just before it, so the arrival order of events never changes the answer.
public enum Quorum {
    /// The tally, before any expiry: `decidedBy` is the approval that completed the quorum (state
    /// `approved`) or the blocking rejection (state `rejected`).
    public static func tally(_ request: RequestRecord, decisions: [DecisionRecord], authority: TeamAuthority) -> PromotionOutcome {
        let rule = ApprovalRule(alias: request.body.alias, at: request.order, in: authority)
        let requester = authority.person(of: request.author)
        var outcome = PromotionOutcome(request: request.id, rule: rule, state: .open, decisions: [], decidedBy: nil, expiry: nil, approvers: [])
        for d in decisions.filter({ $0.body.request == request.id }).sorted(by: { $0.order < $1.order }) {
            guard outcome.state == .open else {
                outcome.decisions.append(CountedDecision(decision: d, count: .late))
                continue
            }
            let person = authority.person(of: d.author)
            let count: DecisionCount
            if let why = ineligibility(d, request: request, rule: rule, authority: authority) {
                count = .ignored(why)
            } else if d.body.verdict == .reject {
                count = .counted
                outcome.state = .rejected
                outcome.decidedBy = d
            } else if rule.notRequester && person == requester {
                count = .ignored("the requester's own approval does not count for this alias")
            } else if outcome.approvers.contains(person) {
                count = .ignored("this member approved already (from another key); a member counts once")
            } else {
                count = .counted
                outcome.approvers.append(person)
                if outcome.approvers.count >= rule.approvals {
                    outcome.state = .approved
                    outcome.decidedBy = d
                }
            }
            outcome.decisions.append(CountedDecision(decision: d, count: count))
        }
        return outcome
    }

    /// Why a decision cannot count whatever it says, or nil when its author could decide at its place.
    static func ineligibility(_ d: DecisionRecord, request: RequestRecord, rule: ApprovalRule, authority: TeamAuthority) -> String? {
        if d.order.clock <= request.order.clock { return "dated before the request it decides" }
        if authority.isCut(key: d.author, seq: d.seq, order: d.order) { return TeamAuthority.cutReason }
        guard let role = authority.role(of: d.author, before: d.order) else { return "not a member of the team at this point" }
        guard role >= rule.role else { return "a \(role.rawValue)'s decision; this alias needs a \(rule.role.rawValue)" }
        return nil
    }
}
