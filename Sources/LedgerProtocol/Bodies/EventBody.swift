/// The body of an event, decoded by its kind.
public enum EventBody: Sendable, Equatable {
    case teamGenesis(TeamGenesis)
    case memberAdd(MemberAdd)
    case memberRemove(MemberRemove)
    case aliasProtect(AliasProtect)
    case identityProfile(IdentityProfile)
    case deviceLink(DeviceLink)
    case experimentCreate(ExperimentCreate)
    case experimentDescribe(ExperimentDescribe)
    case experimentTag(ExperimentTag)
    case runStart(RunStart)
    case runParams(RunParams)
    case runMetrics(RunMetrics)
    case runTags(RunTags)
    case runArtifacts(RunArtifacts)
    case runFinish(RunFinish)
    case modelCreate(ModelCreate)
    case modelDescribe(ModelDescribe)
    case versionCreate(VersionCreate)
    case versionArchive(VersionArchive)
    case promote(Promote)
    case demote(Demote)
    case commentAdd(CommentAdd)
    case loggedModelCreate(LoggedModelCreate)
    case loggedModelUpdate(LoggedModelUpdate)
    case runInputs(RunInputs)
    case runOutputs(RunOutputs)
    case entityDelete(EntityDelete)
    case entityRename(EntityRename)
    case deploymentRecord(DeploymentRecord)
    case deploymentRollback(DeploymentRollback)
    case environmentProtect(EnvironmentProtect)
    case monitorPoints(MonitorPoints)
    case monitorRule(MonitorRule)
    case monitorAlert(MonitorAlert)
    case promotionRequest(PromotionRequest)
    case promotionDecision(PromotionDecision)
    case relayAnnounce(RelayAnnounce)
    case relayCosign(RelayCosign)

    /// Decodes and type-checks a body of the given kind.
    public static func decode(kind: EventKind, bytes: [UInt8]) throws(EventError) -> EventBody {
        let value: CBOR
        do { value = try CBOR.decode(bytes) } catch {
            throw .invalidBody(kind: kind.rawValue, reason: "not deterministic CBOR: \(error)")
        }
        guard case .map(let map) = value else { throw .invalidBody(kind: kind.rawValue, reason: "body must be a map") }
        let f = Fields(kind: kind, map: map)
        // Any body may say it was imported (SPEC 6.14); a malformed provenance makes it invalid.
        _ = try Provenance.read(f)
        switch kind {
        case .teamGenesis: return .teamGenesis(try .init(fields: f))
        case .memberAdd: return .memberAdd(try .init(fields: f))
        case .memberRemove: return .memberRemove(try .init(fields: f))
        case .aliasProtect: return .aliasProtect(try .init(fields: f))
        case .identityProfile: return .identityProfile(try .init(fields: f))
        case .deviceLink: return .deviceLink(try .init(fields: f))
        case .experimentCreate: return .experimentCreate(try .init(fields: f))
        case .experimentDescribe: return .experimentDescribe(try .init(fields: f))
        case .experimentTag: return .experimentTag(try .init(fields: f))
        case .runStart: return .runStart(try .init(fields: f))
        case .runParams: return .runParams(try .init(fields: f))
        case .runMetrics: return .runMetrics(try .init(fields: f))
        case .runTags: return .runTags(try .init(fields: f))
        case .runArtifacts: return .runArtifacts(try .init(fields: f))
        case .runFinish: return .runFinish(try .init(fields: f))
        case .modelCreate: return .modelCreate(try .init(fields: f))
        case .modelDescribe: return .modelDescribe(try .init(fields: f))
        case .versionCreate: return .versionCreate(try .init(fields: f))
        case .versionArchive: return .versionArchive(try .init(fields: f))
        case .promote: return .promote(try .init(fields: f))
        case .demote: return .demote(try .init(fields: f))
        case .commentAdd: return .commentAdd(try .init(fields: f))
        case .loggedModelCreate: return .loggedModelCreate(try .init(fields: f))
        case .loggedModelUpdate: return .loggedModelUpdate(try .init(fields: f))
        case .runInputs: return .runInputs(try .init(fields: f))
        case .runOutputs: return .runOutputs(try .init(fields: f))
        case .entityDelete: return .entityDelete(try .init(fields: f))
        case .entityRename: return .entityRename(try .init(fields: f))
        case .deploymentRecord: return .deploymentRecord(try .init(fields: f))
        case .deploymentRollback: return .deploymentRollback(try .init(fields: f))
        case .environmentProtect: return .environmentProtect(try .init(fields: f))
        case .monitorPoints: return .monitorPoints(try .init(fields: f))
        case .monitorRule: return .monitorRule(try .init(fields: f))
        case .monitorAlert: return .monitorAlert(try .init(fields: f))
        case .promotionRequest: return .promotionRequest(try .init(fields: f))
        case .promotionDecision: return .promotionDecision(try .init(fields: f))
        case .relayAnnounce: return .relayAnnounce(try .init(fields: f))
        case .relayCosign: return .relayCosign(try .init(fields: f))
        }
    }

    /// The typed value inside, to encode or inspect.
    public var fields: any BodyFields {
        switch self {
        case .teamGenesis(let b): b
        case .memberAdd(let b): b
        case .memberRemove(let b): b
        case .aliasProtect(let b): b
        case .identityProfile(let b): b
        case .deviceLink(let b): b
        case .experimentCreate(let b): b
        case .experimentDescribe(let b): b
        case .experimentTag(let b): b
        case .runStart(let b): b
        case .runParams(let b): b
        case .runMetrics(let b): b
        case .runTags(let b): b
        case .runArtifacts(let b): b
        case .runFinish(let b): b
        case .modelCreate(let b): b
        case .modelDescribe(let b): b
        case .versionCreate(let b): b
        case .versionArchive(let b): b
        case .promote(let b): b
        case .demote(let b): b
        case .commentAdd(let b): b
        case .loggedModelCreate(let b): b
        case .loggedModelUpdate(let b): b
        case .runInputs(let b): b
        case .runOutputs(let b): b
        case .entityDelete(let b): b
        case .entityRename(let b): b
        case .deploymentRecord(let b): b
        case .deploymentRollback(let b): b
        case .environmentProtect(let b): b
        case .monitorPoints(let b): b
        case .monitorRule(let b): b
        case .monitorAlert(let b): b
        case .promotionRequest(let b): b
        case .promotionDecision(let b): b
        case .relayAnnounce(let b): b
        case .relayCosign(let b): b
        }
    }

    public var kind: EventKind { type(of: fields).kind }
}

extension EventBody {
    /// The run an event logs to or names, if any: where roles are enforced it must be a run the receiver
    /// holds (SPEC 8.1 step 19).
    public var runReference: LedgerID? {
        switch self {
        case .runParams(let b): b.run
        case .runMetrics(let b): b.run
        case .runTags(let b): b.run
        case .runArtifacts(let b): b.run
        case .runFinish(let b): b.run
        case .runInputs(let b): b.run
        case .runOutputs(let b): b.run
        case .versionCreate(let b): b.run
        case .loggedModelCreate(let b): b.run
        default: nil
        }
    }
}
