import GRDB
import LedgerModel
import LedgerProtocol

/// Promotion requests and decisions (SPEC 6.15), checked against what this ledger holds before signing,
/// so a command that cannot do what it says refuses instead of writing an event that counts for nothing.
extension Ledger {
    /// Distinct approvals a promotion of `alias` needs as the team stands now (0: it moves directly).
    public func approvalsNeeded(alias: String) throws(StoreError) -> Int {
        try read { db in try Int.fetchOne(db, sql: "SELECT approvals FROM protected_aliases WHERE alias = ?", arguments: [alias.nfc]) ?? 0 }
    }

    /// Asks for `alias` of `model` to point at `version` once the alias's quorum approves. The request names
    /// the alias's current live heads, so it expires if the alias moves on before the quorum.
    @discardableResult
    public func requestPromotion(
        model: LedgerID, version: LedgerID, alias: String, reason: String, evidence: [String] = [], signer: SigningKey
    ) throws(StoreError) -> SignedEvent {
        try checkPromotable(model: model, version: version)
        let heads = try aliasHeads(model: model, alias: alias)
        return try append(
            try Draft(PromotionRequest(model: model, version: version, alias: alias, reason: reason, evidence: evidence), heads: heads),
            signer: signer)
    }

    /// Approves or rejects an open request. Refuses what could not count, and says why: a request decided
    /// already, a second decision of the same member, a decision without the role the alias needs, the
    /// requester's own approval where the protection leaves it out.
    @discardableResult
    public func decide(
        request text: String, verdict: PromotionDecision.Verdict, reason: String, signer: SigningKey
    ) throws(StoreError) -> SignedEvent {
        let request = try self.request(text)
        guard request.state == .open else {
            throw StoreError.invalidInput(
                "request \(String(request.id.prefix(12))) is \(request.state.rawValue) already; nothing to \(verdict.rawValue)")
        }
        let authority = try read { db in try authorityState(db).authority }
        let person = authority.person(of: signer.publicKey)
        let mine = request.decisions.contains { d in PublicKey(hex: d.author.key).map(authority.person(of:)) == person }
        guard !mine else { throw StoreError.invalidInput("you decided on this request already (from this or another of your keys)") }
        let role = authority.currentRole(of: signer.publicKey)
        guard let role, role >= request.rule.role else {
            throw StoreError.invalidInput(
                "your decision would not count: '\(request.alias)' needs a \(request.rule.role.rawValue), you are \(role.map { "a \($0.rawValue)" } ?? "not a member")"
            )
        }
        if verdict == .approve, request.rule.notRequester, PublicKey(hex: request.requestedBy.key).map(authority.person(of:)) == person {
            throw StoreError.invalidInput("this is your own request: '\(request.alias)' needs approvals from others")
        }
        guard let id = LedgerID(hex: request.id) else { throw StoreError.notFound(what: "promotion request", name: text) }
        return try append(try Draft(PromotionDecision(request: id, verdict: verdict, reason: reason)), signer: signer)
    }
}
