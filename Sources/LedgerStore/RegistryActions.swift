import GRDB
import LedgerProtocol

/// The registry writes people make by hand (CLI, local dashboard): each names the current heads of what
/// it changes, so a promotion made after seeing a conflict resolves it.
extension Ledger {
    @discardableResult
    public func promote(
        model: LedgerID, version: LedgerID, alias: String, reason: String, evidence: [String] = [],
        signer: SigningKey
    ) throws(StoreError) -> (event: SignedEvent, replaced: Int) {
        try checkPromotable(model: model, version: version)
        let approvals = try approvalsNeeded(alias: alias)
        guard approvals == 0 else { throw StoreError.rejected(.approvalRequired(alias: alias.nfc, approvals: approvals)) }
        let heads = try aliasHeads(model: model, alias: alias)
        let event = try append(
            try Draft(Promote(model: model, version: version, alias: alias, reason: reason, evidence: evidence), heads: heads), signer: signer)
        return (event, heads.count)
    }

    /// The version must be the model's, and not archived: an archived version cannot serve again (SPEC
    /// 9.2), so promoting it would count nowhere.
    func checkPromotable(model: LedgerID, version: LedgerID) throws(StoreError) {
        let (owner, archived) = try read { db in
            (
                try LedgerID.fetchOne(db, sql: "SELECT model FROM versions WHERE id = ?", arguments: [version]),
                try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM version_archived WHERE version = ?)", arguments: [version]) ?? false
            )
        }
        guard owner == model else { throw StoreError.notFound(what: "version of this model", name: version.short) }
        guard !archived else {
            throw StoreError.invalidInput(
                "version \(version.short) is archived, and an archived version cannot serve again: register its files as a new version and promote that"
            )
        }
    }

    /// A comment on anything this ledger holds: an event (run, version, promotion, comment), a model or
    /// an experiment.
    @discardableResult
    public func comment(on target: LedgerID, text: String, replyTo: LedgerID? = nil, signer: SigningKey) throws(StoreError) -> SignedEvent {
        let known = try read { db in
            try Bool.fetchOne(
                db,
                sql: """
                    SELECT EXISTS (SELECT 1 FROM events WHERE id = ?1) OR EXISTS (SELECT 1 FROM models WHERE id = ?1)
                        OR EXISTS (SELECT 1 FROM experiments WHERE id = ?1)
                    """, arguments: [target]) ?? false
        }
        guard known else { throw StoreError.notFound(what: "comment target", name: target.short) }
        return try append(try Draft(CommentAdd(target: target, text: text, replyTo: replyTo)), signer: signer)
    }

    @discardableResult
    public func demote(model: LedgerID, alias: String, reason: String, signer: SigningKey) throws(StoreError) -> SignedEvent {
        let heads = try aliasHeads(model: model, alias: alias)
        guard !heads.isEmpty else { throw StoreError.notFound(what: "alias of the model", name: alias) }
        return try append(try Draft(Demote(model: model, alias: alias, reason: reason), heads: heads), signer: signer)
    }
}
