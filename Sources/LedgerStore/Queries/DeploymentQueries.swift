import Foundation
import GRDB
import LedgerModel
import LedgerProtocol

/// Deployment timelines (SPEC 6.16): the stored records that were allowed at their place, folded by
/// `Deployments` in merge order.
extension Ledger {
    /// Every stint of a model in every environment (or one), oldest first per environment.
    public func deployments(model: LedgerID, environment: String? = nil) throws(StoreError) -> [DeploymentView] {
        try read { db in try deploymentViews(model, environment: environment, db) }
    }

    /// The current stint of every model deployed somewhere (or in one environment), by model name.
    public func currentDeployments(environment: String? = nil) throws(StoreError) -> [(model: String, stint: DeploymentView)] {
        try read { db in
            var out = [(model: String, stint: DeploymentView)]()
            let models = try Row.fetchAll(
                db, sql: "SELECT DISTINCT m.id, \(CurrentName.of("m")) AS name FROM deployments d JOIN models m ON m.id = d.model ORDER BY name")
            for row in models {
                for stint in try deploymentViews(row["id"], environment: environment, db) where stint.serving { out.append((row["name"], stint)) }
            }
            return out
        }
    }

    /// The stints of one model and environment, for the watcher and rollbacks.
    public func stints(model: LedgerID, environment: String) throws(StoreError) -> [Stint] {
        try read { db in try Deployments.timelines(deploymentEntries(model, db))[environment.nfc] ?? [] }
    }

    func deploymentEntries(_ model: LedgerID, _ db: Database) throws -> [DeploymentEntry] {
        try Row.fetchAll(db, sql: "SELECT * FROM deployments WHERE model = ?", arguments: [model]).compactMap { row in
            guard let author = row["author"] as PublicKey?, let ord = row["ord"] as OrderKey?,
                try Authorization.wasAllowed(environment: row["environment"], author: author, ord: ord, db)
            else { return nil }
            return DeploymentEntry(
                event: row["event"], order: ord, environment: row["environment"], version: row["version"], rollback: row["rollback"],
                rolledBack: row["rolled_back"], target: row["target"], reason: row["reason"], author: author, time: Self.ms(row["clock"]))
        }
    }

    func deploymentViews(_ model: LedgerID, environment: String?, _ db: Database) throws -> [DeploymentView] {
        let numbers = try versionNumbers(model, db)
        let authors = Authors(names: try names(db))
        return Deployments.timelines(try deploymentEntries(model, db)).sorted { $0.key < $1.key }
            .filter { environment == nil || $0.key == environment?.nfc }
            .flatMap { _, stints in
                stints.map { s in
                    DeploymentView(
                        event: s.entry.event.hex, model: model.hex, environment: s.entry.environment, version: s.entry.version.hex,
                        versionNumber: numbers[s.entry.version]?.number, rollback: s.entry.rollback, target: s.entry.target, reason: s.entry.reason,
                        deployedBy: authors.view(s.entry.author), since: s.entry.time, until: s.until, replaced: s.replaced?.hex,
                        replacedNumber: s.replaced.flatMap { numbers[$0]?.number }, rolledBack: s.rolledBack)
                }
            }
    }
}
