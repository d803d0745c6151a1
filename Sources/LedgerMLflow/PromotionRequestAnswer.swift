import LedgerModel

/// How a stage transition or alias set on an alias that needs approvals (SPEC 6.15) answers: MLflow's own
/// fields unchanged (the version did not move), plus `promotion_request`, which MLflow clients ignore and
/// scripts and people read, saying that a request was opened instead and how to approve it.
extension Translation {
    static let promotionRequestKey = "promotion_request"

    static func promotionRequest(_ r: RequestView) -> [String: Any] {
        let short = String(r.id.prefix(12))
        return [
            "id": r.id, "state": r.state.rawValue, "alias": r.alias, "version": r.versionNumber.map(String.init) ?? r.version,
            "approvals": r.approvals, "approvals_needed": r.rule.approvals, "role": r.rule.role.rawValue,
            "message":
                "'\(r.alias)' moves only when \(r.rule.approvals) \(r.rule.role.rawValue)\(r.rule.approvals == 1 ? "" : "s") approve: promotion request \(short) was opened instead of moving it; approve with `mledger model approve \(short) --reason ...`",
        ]
    }
}
