import Foundation
import GRDB
import LedgerModel
import LedgerProtocol

/// Applies one event to the projection tables. Every write commutes with every other (see
/// `TableWrite`), and metric summaries merge order-free, so applying events in any order, or
/// rebuilding from scratch in merge order, gives identical tables.
struct Projector {
    let db: Database
    /// The team the entity ids derive from.
    let team: LedgerID

    func apply(_ event: SignedEvent, _ body: EventBody) throws {
        let env = event.envelope
        let ord = OrderKey(event)
        let author = env.author
        let clock = env.clock.sqlInteger
        typealias W = TableWrites
        try ImportProjection.apply(event, body, team: team, db)
        switch body {
        case .teamGenesis, .memberAdd, .memberRemove, .aliasProtect, .environmentProtect, .deviceLink:
            // Folded together by `AuthorityProjection`: each is judged at its place among the others.
            break
        case .identityProfile(let b):
            try W.profile.execute(db, [author, b.name, b.email, ord])
        case .experimentCreate(let b):
            let id = EntityID.experiment(team: team, name: b.name)
            try W.experiment.execute(db, [id, b.name, author, clock, ord])
            if let d = b.description { try describe(id, d, event) }
        case .experimentDescribe(let b):
            try describe(b.experiment, b.description, event)
        case .experimentTag(let b):
            try W.experimentTag.execute(db, [b.experiment, b.key, b.value, ord])
        case .runStart(let b):
            try W.run.execute(
                db,
                [
                    event.id, b.experiment, b.name, author, clock, b.startTime ?? Int64(HybridClock.milliseconds(env.clock)),
                    b.gitCommit, b.gitDirty, b.command, b.host, b.environment,
                ])
        case .runParams(let b):
            for (k, v) in b.params { try W.param.execute(db, [b.run, k, v, ord]) }
        case .runTags(let b):
            for (k, v) in b.tags { try W.runTag.execute(db, [b.run, k, v, ord]) }
            for k in b.removed where b.tags[k] == nil { try W.runTag.execute(db, [b.run, k, nil, ord]) }
        case .runArtifacts(let b):
            for f in b.files { try W.runArtifact.execute(db, [b.run, f.path, Data(f.sha256), Int64(f.size), ord]) }
            let written = Set(b.files.map(\.path))
            for path in b.removed where !written.contains(path) { try W.runArtifact.execute(db, [b.run, path, nil, nil, ord]) }
        case .runFinish(let b):
            try W.runStatus.execute(db, [b.run, b.status.rawValue, b.endTime, b.exitCode, ord])
        case .runMetrics(let b):
            for (key, points) in b.series { try addMetrics(run: b.run, key: key, points: points, event: event.id, ord: ord) }
        case .modelCreate(let b):
            let id = EntityID.model(team: team, name: b.name)
            try W.model.execute(db, [id, b.name, author, clock, ord])
            if let d = b.description { try describe(id, d, event) }
        case .modelDescribe(let b):
            try describe(b.version ?? b.model, b.description, event)
        case .versionCreate(let b):
            try W.version.execute(db, [event.id, b.model, b.run, Int64(b.claimedNumber), b.description, author, clock, ord, b.loggedModel])
            for f in b.files { try W.versionFile.execute(db, [event.id, f.path, Data(f.sha256), Int64(f.size)]) }
        case .versionArchive(let b):
            try W.versionArchived.execute(db, [b.version, event.id, b.reason, ord])
        case .promote(let b):
            try aliasWrite(event, model: b.model, alias: b.alias, version: b.version, reason: b.reason, evidence: b.evidence)
        case .demote(let b):
            try aliasWrite(event, model: b.model, alias: b.alias, version: nil, reason: b.reason, evidence: [])
        case .commentAdd(let b):
            try W.comment.execute(db, [event.id, b.target, b.replyTo, author, clock, b.text])
        case .loggedModelCreate(let b):
            try W.loggedModel.execute(db, [event.id, String(event.id.hex.prefix(32)), b.experiment, b.name, b.run, b.modelType, author, clock])
            try W.loggedModelUpdated.execute(db, [event.id, clock])
            try loggedModelChanges(event.id, params: b.params, tags: b.tags, removedTags: [], files: [], removedFiles: [], ord: ord)
        case .loggedModelUpdate(let b):
            if let status = b.status { try W.loggedModelStatus.execute(db, [b.model, status.rawValue, b.statusMessage, ord]) }
            try W.loggedModelUpdated.execute(db, [b.model, clock])
            try loggedModelChanges(
                b.model, params: b.params, tags: b.tags, removedTags: b.removedTags, files: b.files, removedFiles: b.removedFiles, ord: ord)
        case .runInputs(let b):
            for d in b.datasets {
                let tags = String(decoding: try JSONEncoder.sorted.encode(d.tags), as: UTF8.self)
                try W.runDataset.execute(db, [b.run, d.name, d.digest, d.sourceType, d.source, d.schema, d.profile, tags, ord])
            }
            for m in b.models { try W.runModelInput.execute(db, [b.run, m]) }
        case .runOutputs(let b):
            for o in b.models { try W.runOutput.execute(db, [b.run, o.model, o.step, ord]) }
        case .entityDelete(let b):
            try W.tombstone.execute(db, [b.target, !b.restore, event.id, ord])
        case .entityRename(let b):
            try W.entityName.execute(db, [b.target, b.name, ord])
        case .deploymentRecord, .deploymentRollback, .monitorPoints, .monitorRule, .monitorAlert:
            try MonitorProjector(db: db).apply(event, body)
        case .promotionRequest(let b):
            try W.promotionRequest.execute(db, [event.id, b.model, b.alias, b.version, author, b.reason, ord])
        case .promotionDecision(let b):
            try W.promotionDecision.execute(db, [event.id, b.request, ord])
        case .relayAnnounce(let b):
            try W.relayAnnouncement.execute(db, [event.id, b.key, b.url, author, ord])
        case .relayCosign(let b):
            // The body decoded only if the note verifies (not checked twice); its size and root are kept
            // for the checks.
            let checkpoint = try Checkpoint(unverifiedNote: b.checkpoint)
            try W.relayCosignature.execute(db, [event.id, b.key, Int64(checkpoint.size), Data(checkpoint.root), b.checkpoint, author, ord])
        }
    }

    /// Params, tags (set, or removed as NULL) and files (likewise) of a logged model, each last writer wins.
    private func loggedModelChanges(
        _ model: LedgerID, params: [String: String], tags: [String: String], removedTags: [String],
        files: [ArtifactFile], removedFiles: [String], ord: OrderKey
    ) throws {
        typealias W = TableWrites
        for (k, v) in params { try W.loggedModelParam.execute(db, [model, k, v, ord]) }
        for (k, v) in tags { try W.loggedModelTag.execute(db, [model, k, v, ord]) }
        for k in removedTags where tags[k] == nil { try W.loggedModelTag.execute(db, [model, k, nil, ord]) }
        for f in files { try W.loggedModelFile.execute(db, [model, f.path, Data(f.sha256), Int64(f.size), ord]) }
        let written = Set(files.map(\.path))
        for path in removedFiles where !written.contains(path) { try W.loggedModelFile.execute(db, [model, path, nil, nil, ord]) }
    }

    /// A write to a description register; the envelope's heads name the writes it replaces.
    private func describe(_ entity: LedgerID, _ text: String, _ event: SignedEvent) throws {
        try TableWrites.description.execute(db, [event.id, entity, text, event.envelope.clock.sqlInteger])
        try supersede(event)
    }

    private func supersede(_ event: SignedEvent) throws {
        for head in event.envelope.heads { try TableWrites.supersedes.execute(db, [event.id, head]) }
    }

    private func aliasWrite(
        _ event: SignedEvent, model: LedgerID, alias: String, version: LedgerID?, reason: String, evidence: [String]
    ) throws {
        let evidenceText = String(decoding: try JSONEncoder().encode(evidence), as: UTF8.self)
        try TableWrites.aliasEvent.execute(
            db,
            [
                event.id, model, alias, version, event.envelope.author, event.envelope.clock.sqlInteger, OrderKey(event),
                reason, evidenceText,
            ])
        try supersede(event)
    }

    /// Stores a batch's points for one key packed, and merges its summary into the series summary.
    private func addMetrics(run: LedgerID, key: String, points: [MetricPoint], event: LedgerID, ord: OrderKey) throws {
        try TableWrites.metricChunk.execute(db, [run, key, event, ord, Int64(points.count), Data(MetricPoint.pack(points))])
        var summary = MetricSummary(points)
        let existing = try Row.fetchOne(
            db.cachedStatement(sql: "SELECT * FROM metric_summary WHERE run = ? AND key = ?"), arguments: [run, key])
        if let existing { summary = summary.merged(with: MetricSummary(row: existing)) }
        guard let last = summary.last else { return }
        try TableWrites.metricSummary.execute(
            db,
            [
                run, key, summary.count, summary.min, summary.max, last.step, last.timestamp,
                last.value.isNaN ? nil : last.value, Int64(bitPattern: last.value.bitPattern),
            ])
    }
}

extension JSONEncoder {
    /// Keys sorted, so the same map always projects to the same text.
    static var sorted: JSONEncoder {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys]
        return e
    }
}

extension MetricSummary {
    init(row: Row) {
        self.init()
        count = row["count"]
        min = row["min"]
        max = row["max"]
        let bits: Int64 = row["last_bits"]
        last = MetricPoint(step: row["last_step"], timestamp: row["last_time"], value: Double(bitPattern: UInt64(bitPattern: bits)))
    }
}
