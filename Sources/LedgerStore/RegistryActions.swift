import LedgerProtocol

/// The registry writes people make by hand (CLI, local dashboard): each names the current heads of what
/// it changes, so a promotion made after seeing a conflict resolves it.
extension Ledger {
    @discardableResult
    public func promote(model: LedgerID, version: LedgerID, alias: String, reason: String, evidence: [String] = [],
                        signer: SigningKey) throws(StoreError) -> (event: SignedEvent, replaced: Int) {
        let heads = try aliasHeads(model: model, alias: alias)
        let event = try append(try Draft(Promote(model: model, version: version, alias: alias, reason: reason, evidence: evidence), heads: heads), signer: signer)
        return (event, heads.count)
    }

    @discardableResult
    public func demote(model: LedgerID, alias: String, reason: String, signer: SigningKey) throws(StoreError) -> SignedEvent {
        let heads = try aliasHeads(model: model, alias: alias)
        guard !heads.isEmpty else { throw StoreError.notFound(what: "alias of the model", name: alias) }
        return try append(try Draft(Demote(model: model, alias: alias, reason: reason), heads: heads), signer: signer)
    }
}
