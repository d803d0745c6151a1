/// Asks for an alias of a model to point at a version once enough members approve (SPEC 6.15). The
/// envelope's heads name the alias writes the requester saw: if the alias moved on before the quorum, the
/// request expires instead of overwriting a change its approvers never saw.
public struct PromotionRequest: BodyFields {
    public static let kind = EventKind.promotionRequest
    public var model: LedgerID
    public var version: LedgerID
    public var alias: String
    public var reason: String
    public var evidence: [String]
    public init(model: LedgerID, version: LedgerID, alias: String, reason: String, evidence: [String] = []) {
        self.model = model
        self.version = version
        self.alias = alias.nfc
        self.reason = reason
        self.evidence = evidence
    }
    /// The same fields as `model.promote`, read and written by the same rules.
    public init(fields f: Fields) throws(EventError) {
        let p = try Promote(fields: f)
        self.init(model: p.model, version: p.version, alias: p.alias, reason: p.reason, evidence: p.evidence)
    }
    public var cbor: [String: CBOR] { Promote(model: model, version: version, alias: alias, reason: reason, evidence: evidence).cbor }
}

/// A member's approval or rejection of a promotion request, with the reason the audit trail shows.
public struct PromotionDecision: BodyFields {
    public enum Verdict: String, Sendable, Equatable, CaseIterable, Codable {
        case approve, reject
    }

    public static let kind = EventKind.promotionDecision
    /// The request (its `model.promotion.request` event id).
    public var request: LedgerID
    public var verdict: Verdict
    public var reason: String
    public init(request: LedgerID, verdict: Verdict, reason: String) {
        self.request = request
        self.verdict = verdict
        self.reason = reason
    }
    public init(fields f: Fields) throws(EventError) {
        request = try f.id("request")
        guard let v = Verdict(rawValue: try f.text("decision")) else { throw f.fail("'decision' must be 'approve' or 'reject'") }
        verdict = v
        reason = try f.meaningfulText("reason", maxLength: 4096)
    }
    public var cbor: [String: CBOR] {
        ["request": .bytes(request.bytes), "decision": .text(verdict.rawValue), "reason": .text(reason)]
    }
}
