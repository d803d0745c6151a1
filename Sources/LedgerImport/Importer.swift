import Foundation
import LedgerModel
import LedgerProtocol
import LedgerStore

/// What to import, and how.
public struct ImportOptions: Sendable {
    /// Experiment names to import (all when empty).
    public var experiments: [String] = []
    /// Registered model names to import (all when empty).
    public var models: [String] = []
    /// Only runs started at or after this time (Unix ms).
    public var since: Int64?
    /// Read and count everything, write nothing.
    public var dryRun = false
    /// Runs fetched at once (their metric histories and artifacts).
    public var concurrency = 4

    public init() {}
}

/// Where an import stands, for a progress line.
public struct ImportProgress: Sendable {
    public var phase: String
    public var summary: ImportSummary
}

/// Reads an MLflow source and appends what the ledger lacks as events signed by the importer, each with
/// its provenance (SPEC 6.14). What an earlier import made of each MLflow object is read back from those
/// events (`ImportMap`), so a second import adds only what is new or changed, and an import killed at
/// any point resumes where its last transaction ended.
public final class Importer {
    let ledger: Ledger
    let signer: SigningKey
    let blobs: BlobStore
    let source: any MLflowSource
    let options: ImportOptions
    let team: LedgerID
    let progress: @Sendable (ImportProgress) -> Void
    var map: ImportMap
    var summary = ImportSummary()
    /// Ledger experiment ids by MLflow experiment id, for the experiments this import covers.
    var experimentIDs = [String: LedgerID]()
    /// Logged models each imported run produced or read: written once the logged models are in.
    var runLinks = [(run: LedgerID, outputs: [(model: String, step: Int64?)], inputs: [String])]()
    /// A stand-in id for what a dry run would have created.
    static let dryRunID = LedgerID(bytes: [UInt8](repeating: 0xdd, count: 32))!

    public init(
        ledger: Ledger, signer: SigningKey, blobs: BlobStore, source: any MLflowSource, options: ImportOptions,
        progress: @escaping @Sendable (ImportProgress) -> Void = { _ in }
    ) throws {
        guard let team = try ledger.team() else { throw StoreError.noTeam }
        self.ledger = ledger
        self.signer = signer
        self.blobs = blobs
        self.source = source
        self.options = options
        self.team = team
        self.progress = progress
        map = try ledger.importMap(source: source.name)
        summary.source = source.name
        summary.dryRun = options.dryRun
    }

    /// Imports experiments and their runs, logged models, then the registry.
    public func run() async throws -> ImportSummary {
        let started = Date()
        defer { summary.finish(seconds: Date().timeIntervalSince(started)) }
        let wanted = Set(options.experiments.map(\.nfc))
        let experiments = try await source.experiments().filter { wanted.isEmpty || wanted.contains($0.name.nfc) }
        if !wanted.isEmpty, experiments.count < wanted.count {
            let missing = wanted.subtracting(experiments.map { $0.name.nfc }).sorted()
            throw ImportError.invalidOption("no experiment named \(missing.map { "'\($0)'" }.joined(separator: ", ")) on \(source.name)")
        }
        // The registry is listed first, so a model named with --models that does not exist changes nothing.
        let models = try await registeredModels()
        for e in experiments {
            guard let id = try importExperiment(e) else { continue }
            report("runs of \(e.name)")
            try await importRuns(of: e, into: id)
            try await importLoggedModels(of: e, into: id)
        }
        try linkRunsToLoggedModels()
        try await importRegistry(models)
        summary.finish(seconds: Date().timeIntervalSince(started))
        report("done")
        return summary
    }

    func report(_ phase: String) { progress(ImportProgress(phase: phase, summary: summary)) }

    // MARK: - Provenance and writing

    func provenance(
        _ object: String, _ ids: [String: String], user: String? = nil, time: Int64? = nil, updated: Int64? = nil,
        data: [String: String] = [:], stateAtImport: Bool = false
    ) -> Provenance {
        Provenance(
            system: "mlflow", source: source.name, object: object, ids: ids, user: user, time: time, updated: updated, data: data,
            stateAtImport: stateAtImport)
    }

    /// Appends drafts in transactions of at most ~8 MiB of bodies, in order, so whatever a step writes
    /// last (a run's end) commits only after everything before it. Returns the signed events.
    @discardableResult
    func append(_ drafts: Drafts) throws -> [SignedEvent] {
        summary.skipped += drafts.skipped
        guard !drafts.isEmpty else { return [] }
        summary.events += drafts.items.count
        if options.dryRun { return [] }
        var signed = [SignedEvent]()
        var group = [Ledger.Draft]()
        var bytes = 0
        for d in drafts.items {
            group.append(d)
            bytes += d.body.fields.encoded().count
            if bytes >= 8 << 20 {
                signed += try ledger.append(group, signer: signer)
                group = []
                bytes = 0
            }
        }
        if !group.isEmpty { signed += try ledger.append(group, signer: signer) }
        return signed
    }

    /// Appends one creating event and returns the entity it made (its id, or a stand-in in a dry run).
    func create(_ drafts: Drafts, entity: (SignedEvent) -> LedgerID) throws -> LedgerID? {
        guard !drafts.isEmpty else {
            summary.skipped += drafts.skipped
            return nil
        }
        guard let event = try append(drafts).first else { return Self.dryRunID }
        return entity(event)
    }

    // MARK: - Experiments

    /// Creates the experiment if no earlier import did, brings its tags and deletion up to date, and
    /// returns its ledger id (nil when its name cannot be a ledger name).
    func importExperiment(_ e: MLExperiment) throws -> LedgerID? {
        let ids = ["experiment_id": e.id]
        let p = provenance("experiment", ids, time: e.creationTime, updated: e.lastUpdateTime)
        var id = map.entity(.experimentCreate, object: "experiment", ids: ids)
        if id == nil {
            var d = Drafts(p)
            d.add(ExperimentCreate(name: e.name.nfc), what: "experiment '\(e.name)'")
            guard let created = try create(d, entity: { _ in EntityID.experiment(team: team, name: e.name.nfc) }) else { return nil }
            id = created
            map.note(.experimentCreate, object: "experiment", ids: ids, entity: created)
            summary.experiments += 1
        }
        guard let id else { return nil }
        experimentIDs[e.id] = id
        let current = options.dryRun && id == Self.dryRunID ? [:] : try ledger.experimentTags(id)
        var d = Drafts(p)
        for (k, v) in d.holdable(e.tags.map, limit: 8000, what: "tag of experiment '\(e.name)'").sorted(by: { $0.key < $1.key })
        where current[k] != v {
            if d.add(ExperimentTag(experiment: id, key: k, value: v), what: "tag '\(k)' of experiment '\(e.name)'") { summary.tags += 1 }
        }
        if !current.isEmpty {
            let gone = try ledger.importedTagKeys(.experiment, of: id, source: source.name).subtracting(e.tags.map { $0.key.nfc })
            for k in gone.sorted()
            where d.add(ExperimentTag(experiment: id, key: k, value: nil), what: "removal of tag '\(k)' of experiment '\(e.name)'") {
                summary.tagsRemoved += 1
            }
        }
        if e.deleted, try !ledger.isDeleted(id) {
            d.add(EntityDelete(target: id, reason: "deleted in MLflow"), what: "deletion of experiment '\(e.name)'")
            summary.deleted += 1
        }
        try append(d)
        return id
    }
}
