import Foundation
import GRDB
import LedgerProtocol

/// Records the provenance of an imported event (SPEC 6.14) beside its effect on the views: one row keyed
/// by the event, so it commutes like every other projection write.
enum ImportProjection {
    static let write = TableWrite.insert(
        "imports", ["event", "kind", "entity", "system", "source", "object", "ids", "user", "time", "updated", "data", "state_at_import"])

    static func apply(_ event: SignedEvent, _ body: EventBody, team: LedgerID, _ db: Database) throws {
        let env = event.envelope
        guard let p = try Provenance.of(kind: env.kind, body: env.body) else { return }
        try write.execute(
            db,
            [
                event.id, env.kind.rawValue, entity(event, body, team: team), p.system, p.source, p.object, idsText(p.ids), p.user, p.time,
                p.updated, idsText(p.data), p.stateAtImport,
            ])
    }

    /// A text map as one text: sorted-key JSON, so equal maps give equal text.
    static func idsText(_ ids: [String: String]) -> String {
        String(decoding: (try? JSONEncoder.sorted.encode(ids)) ?? Data(), as: UTF8.self)
    }

    /// The ledger entity an event is about: what an import maps the source's object to.
    static func entity(_ event: SignedEvent, _ body: EventBody, team: LedgerID) -> LedgerID? {
        switch body {
        case .experimentCreate(let b): EntityID.experiment(team: team, name: b.name)
        case .experimentDescribe(let b): b.experiment
        case .experimentTag(let b): b.experiment
        case .runStart, .versionCreate, .loggedModelCreate: event.id
        case .runParams, .runMetrics, .runTags, .runArtifacts, .runFinish, .runInputs, .runOutputs: body.runReference
        case .modelCreate(let b): EntityID.model(team: team, name: b.name)
        case .modelDescribe(let b): b.version ?? b.model
        case .versionArchive(let b): b.version
        case .promote(let b): b.version
        case .demote(let b): b.model
        case .commentAdd(let b): b.target
        case .loggedModelUpdate(let b): b.model
        case .entityDelete(let b): b.target
        case .entityRename(let b): b.target
        case .deploymentRecord(let b): b.version
        case .deploymentRollback(let b): b.version
        case .monitorPoints(let b): b.version
        case .monitorRule(let b): b.model
        case .monitorAlert(let b): b.version
        case .promotionRequest(let b): b.version
        case .promotionDecision(let b): b.request
        case .teamGenesis, .memberAdd, .memberRemove, .aliasProtect, .environmentProtect, .identityProfile, .deviceLink, .relayAnnounce, .relayCosign:
            nil
        }
    }
}
