import LedgerProtocol
import LedgerStore

/// Writes the local dashboard can make, each a signed event of this device. The relay's dashboard has
/// none: the relay holds no member's key.
public struct DashboardWriter: Sendable {
    let ledger: Ledger
    let key: SigningKey

    public init(ledger: Ledger, key: SigningKey) {
        self.ledger = ledger
        self.key = key
    }

    func comment(on target: LedgerID, text: String) throws(StoreError) {
        try ledger.comment(on: target, text: text, signer: key)
    }

    func promote(model: LedgerID, version: LedgerID, alias: String, reason: String, evidence: [String]) throws(StoreError) {
        try ledger.promote(model: model, version: version, alias: alias, reason: reason, evidence: evidence, signer: key)
    }

    func request(model: LedgerID, version: LedgerID, alias: String, reason: String) throws(StoreError) {
        try ledger.requestPromotion(model: model, version: version, alias: alias, reason: reason, signer: key)
    }

    /// Approves or rejects a promotion request; returns its model, whose page shows the outcome.
    func decide(request: String, verdict: PromotionDecision.Verdict, reason: String) throws(StoreError) -> String {
        try ledger.decide(request: request, verdict: verdict, reason: reason, signer: key)
        return try ledger.request(request).model
    }

    func demote(model: LedgerID, alias: String, reason: String) throws(StoreError) {
        try ledger.demote(model: model, alias: alias, reason: reason, signer: key)
    }
}
