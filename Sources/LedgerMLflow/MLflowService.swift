import Foundation
import LedgerModel
import LedgerProtocol
import LedgerStore

/// What the MLflow routes work with: the workspace's ledger, this device's signing key (loaded once)
/// and the blob store. Every write is signed by that key, so it shows in `mledger`, the audit trail
/// and sync like any other event.
public final class MLflowService: Sendable {
    public let ledger: Ledger
    let signer: SigningKey
    let blobs: BlobStore
    /// Read-then-write sequences (version numbers, alias heads, param checks) run one at a time.
    private let writeLock = NSLock()
    /// Runs already checked to exist, so logging calls skip the lookup.
    private let knownRuns = Locked(Set<LedgerID>())
    /// Multipart uploads in progress, by upload id (their parts wait on disk).
    let uploads = Locked([String: MultipartRoutes.Upload]())

    public init(ledger: Ledger, signer: SigningKey, blobs: BlobStore) {
        self.ledger = ledger
        self.signer = signer
        self.blobs = blobs
    }

    /// Runs `body` alone among writes.
    func serialized<T>(_ body: () throws -> T) rethrows -> T {
        writeLock.lock()
        defer { writeLock.unlock() }
        return try body()
    }

    @discardableResult
    func append(_ drafts: [Ledger.Draft]) throws -> [SignedEvent] {
        try ledger.append(drafts, signer: signer)
    }

    @discardableResult
    func append(_ body: some BodyFields, heads: [LedgerID] = []) throws -> SignedEvent {
        try ledger.append(try Ledger.Draft(body, heads: heads), signer: signer)
    }

    func team() throws -> LedgerID {
        guard let team = try ledger.team() else { throw StoreError.noTeam }
        return team
    }

    // MARK: - Experiments

    /// The experiment an MLflow id names ("0" is the experiment "Default").
    func experiment(_ mlflowID: String) throws -> ExperimentView {
        try Translation.checkExperimentID(mlflowID)
        let all = try ledger.experiments()
        let found =
            mlflowID == Translation.defaultExperimentID
            ? all.first { $0.name == Translation.defaultExperimentName }
            : all.first { $0.id == mlflowID.lowercased() }
        guard let found else { throw MLflowError.notFound("No Experiment with id=\(mlflowID) exists") }
        return found
    }

    /// The ledger id of the experiment an MLflow id names, creating "Default" on first use.
    func experimentForWrite(_ mlflowID: String) throws -> LedgerID {
        if mlflowID == Translation.defaultExperimentID, (try? experiment(mlflowID)) == nil {
            try append(ExperimentCreate(name: Translation.defaultExperimentName))
        }
        guard let id = LedgerID(hex: try experiment(mlflowID).id) else { throw MLflowError.notFound("No Experiment with id=\(mlflowID) exists") }
        if try ledger.isDeleted(id) {
            throw MLflowError.invalid("The experiment \(mlflowID) must be in the 'active' state. Current state is deleted.")
        }
        return id
    }

    // MARK: - Runs

    /// A run id: any id no run has, malformed or not, is RESOURCE_DOES_NOT_EXIST, as `mlflow server` answers.
    func runID(_ text: String) throws -> LedgerID {
        guard let id = LedgerID(hex: text.lowercased()) else { throw MLflowError.notFound("Run with id=\(text) not found") }
        return id
    }

    /// The id of an existing run (checked once per run per server).
    func existingRun(_ text: String) throws -> LedgerID {
        let id = try runID(text)
        if knownRuns.read({ $0.contains(id) }) { return id }
        guard try ledger.runExists(id) else { throw MLflowError.notFound("Run with id=\(text) not found") }
        knownRuns.modify { _ = $0.insert(id) }
        return id
    }

    func run(_ text: String) throws -> RunView {
        do { return try ledger.run(try runID(text)) } catch StoreError.notFound {
            throw MLflowError.notFound("Run with id=\(text) not found")
        }
    }

    /// A store lookup whose not-found becomes MLflow's RESOURCE_DOES_NOT_EXIST with `message`.
    func found<T>(_ message: String, _ lookup: () throws(StoreError) -> T) throws -> T {
        switch Result(catching: lookup) {
        case .success(let value): return value
        case .failure(.notFound): throw MLflowError.notFound(message)
        case .failure(let error): throw error
        }
    }

    // MARK: - Registry

    /// A registered model with its versions, as MLflow shows them: deleted models and versions are hidden.
    func model(_ name: String) throws -> ModelView {
        var m = try found("Registered Model with name=\(name) not found") { () throws(StoreError) in try ledger.model(named: name) }
        let deleted = try ledger.deletedIDs()
        guard !deleted.contains(m.id) else { throw MLflowError.notFound("Registered Model with name=\(name) not found") }
        m.versions.removeAll { deleted.contains($0.id) }
        return m
    }

    func version(_ model: ModelView, _ number: String) throws -> VersionView {
        guard let v = model.versions.first(where: { String($0.number) == number }) else {
            throw MLflowError.notFound("Model Version (name=\(model.name), version=\(number)) not found")
        }
        return v
    }

    func versionTags(_ v: VersionView) -> [String: String] { tags(of: v.id) }

    /// Tags of a version or registered model: kept as comments on it (see `Translation.versionTags`).
    func tags(of hex: String) -> [String: String] {
        guard let id = LedgerID(hex: hex), let texts = try? ledger.commentTexts(on: id) else { return [:] }
        return Translation.versionTags(comments: texts)
    }

    func modelVersionJSON(_ m: ModelView, _ v: VersionView) -> [String: Any] {
        Translation.modelVersion(m, v, tags: versionTags(v))
    }
}

/// A value shared between request threads behind a lock.
final class Locked<Value>: @unchecked Sendable {
    private var value: Value
    private let lock = NSLock()
    init(_ value: Value) { self.value = value }
    func read<T>(_ body: (Value) -> T) -> T {
        lock.lock()
        defer { lock.unlock() }
        return body(value)
    }
    func modify(_ body: (inout Value) -> Void) {
        lock.lock()
        defer { lock.unlock() }
        body(&value)
    }
}
