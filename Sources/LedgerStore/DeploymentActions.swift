import GRDB
import LedgerModel
import LedgerProtocol

/// Deployments people record by hand (CLI): checked against the ledger before they are signed.
extension Ledger {
    @discardableResult
    public func deploy(
        model: LedgerID, version: LedgerID, environment: String, target: String?, reason: String, signer: SigningKey
    ) throws(StoreError) -> SignedEvent {
        try requireVersion(version, of: model)
        return try append(
            try Draft(DeploymentRecord(model: model, version: version, environment: environment, target: target, reason: reason)), signer: signer)
    }

    /// Puts back the version that served before the current one (see `Deployments.rollbackTarget`).
    @discardableResult
    public func rollback(
        model: LedgerID, environment: String, reason: String, signer: SigningKey
    ) throws(StoreError) -> (
        event: SignedEvent, from: LedgerID, to: LedgerID
    ) {
        let stints = try stints(model: model, environment: environment)
        guard let current = stints.last?.entry.version else { throw StoreError.notFound(what: "deployment of the model in", name: environment) }
        guard let target = Deployments.rollbackTarget(stints) else {
            throw StoreError.invalidInput("nothing served in \(environment) before the current version: deploy another version instead")
        }
        let event = try append(
            try Draft(DeploymentRollback(model: model, environment: environment, version: target, from: current, reason: reason)), signer: signer)
        return (event, current, target)
    }

    func requireVersion(_ version: LedgerID, of model: LedgerID) throws(StoreError) {
        let owner = try read { db in try LedgerID.fetchOne(db, sql: "SELECT model FROM versions WHERE id = ?", arguments: [version]) }
        guard owner == model else { throw StoreError.notFound(what: "version of this model", name: version.short) }
    }
}
