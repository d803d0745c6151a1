import LedgerProtocol

// The team views as plain values: what the CLI prints (as tables or `--json`) and the dashboard renders.
// Ids and keys are hex text, times are Unix milliseconds.

/// Who wrote an event: their key, its fingerprint, and the display name they published, if any.
public struct AuthorView: Codable, Sendable, Equatable {
    public var key: String
    public var fingerprint: String
    public var name: String?

    public init(key: PublicKey, name: String?) {
        self.key = key.hex
        self.fingerprint = key.fingerprint
        self.name = name
    }

    /// "Ada Lovelace (1a2b:3c4d:…)" or just the fingerprint.
    public var label: String { name.map { "\($0) (\(fingerprint))" } ?? fingerprint }
}

public struct ExperimentView: Codable, Sendable, Equatable {
    public var id: String
    public var name: String
    public var description: String?
    public var createdBy: AuthorView
    public var createdAt: Int64
    public var runCount: Int
    public var lastActivity: Int64
    public init(id: String, name: String, description: String? = nil, createdBy: AuthorView, createdAt: Int64, runCount: Int, lastActivity: Int64) {
        self.id = id
        self.name = name
        self.description = description
        self.createdBy = createdBy
        self.createdAt = createdAt
        self.runCount = runCount
        self.lastActivity = lastActivity
    }
}

public struct ArtifactView: Codable, Sendable, Equatable {
    public var path: String
    public var sha256: String
    public var size: UInt64

    public init(_ f: ArtifactFile) {
        path = f.path
        sha256 = Hex.encode(f.sha256)
        size = f.size
    }
}

public struct RunView: Codable, Sendable, Equatable {
    public var id: String
    public var experimentID: String
    public var experiment: String?
    public var name: String
    public var author: AuthorView
    public var status: RunStatus
    public var startTime: Int64
    public var endTime: Int64?
    public var exitCode: Int64?
    public var gitCommit: String?
    public var gitDirty: Bool?
    public var command: String?
    public var host: String?
    public var environment: String?
    public var params: [String: String]
    public var tags: [String: String]
    public var metrics: [String: MetricSummary]
    public var artifacts: [ArtifactView]
    /// Datasets the run read (`log_input`), by name and digest.
    public var datasets: [DatasetInput]
    /// Logged models the run produced (ledger ids).
    public var outputs: [String]
    /// Where the run was imported from (`mledger import mlflow`), with its original author.
    public var imported: ImportView?
    public init(
        id: String, experimentID: String, experiment: String? = nil, name: String, author: AuthorView, status: RunStatus, startTime: Int64,
        endTime: Int64? = nil, exitCode: Int64? = nil, gitCommit: String? = nil, gitDirty: Bool? = nil, command: String? = nil, host: String? = nil,
        environment: String? = nil, params: [String: String], tags: [String: String], metrics: [String: MetricSummary], artifacts: [ArtifactView],
        datasets: [DatasetInput] = [], outputs: [String] = []
    ) {
        self.datasets = datasets
        self.outputs = outputs
        self.id = id
        self.experimentID = experimentID
        self.experiment = experiment
        self.name = name
        self.author = author
        self.status = status
        self.startTime = startTime
        self.endTime = endTime
        self.exitCode = exitCode
        self.gitCommit = gitCommit
        self.gitDirty = gitDirty
        self.command = command
        self.host = host
        self.environment = environment
        self.params = params
        self.tags = tags
        self.metrics = metrics
        self.artifacts = artifacts
    }
}

public struct VersionView: Codable, Sendable, Equatable {
    public var id: String
    public var number: UInt64
    public var claimedNumber: UInt64
    /// True when offline creation made the author see a different number than the team does.
    public var renumbered: Bool
    public var run: String?
    public var author: AuthorView
    public var createdAt: Int64
    public var description: String?
    public var archived: Bool
    public var aliases: [String]
    public var files: [ArtifactView]
    /// The logged model (MLflow 3) the version was registered from, by ledger id.
    public var loggedModel: String?
    /// Where the version was imported from, with its original author and creation time.
    public var imported: ImportView?
    public init(
        id: String, number: UInt64, claimedNumber: UInt64, renumbered: Bool, run: String? = nil, author: AuthorView, createdAt: Int64,
        description: String? = nil, archived: Bool, aliases: [String], files: [ArtifactView], loggedModel: String? = nil
    ) {
        self.loggedModel = loggedModel
        self.id = id
        self.number = number
        self.claimedNumber = claimedNumber
        self.renumbered = renumbered
        self.run = run
        self.author = author
        self.createdAt = createdAt
        self.description = description
        self.archived = archived
        self.aliases = aliases
        self.files = files
    }
}

public struct AliasView: Codable, Sendable, Equatable {
    public var alias: String
    /// Nil when the winning write removed the alias.
    public var version: String?
    public var versionNumber: UInt64?
    public var setBy: AuthorView
    public var at: Int64
    public var reason: String
    public var event: String
    /// Concurrent writes nobody has resolved yet: every live head, the winner first.
    public var conflict: [AliasCandidate]
    /// The promotion request whose quorum moved the alias (SPEC 6.15); `setBy` is its requester, `at` the quorum.
    public var request: String?
    public init(
        alias: String, version: String? = nil, versionNumber: UInt64? = nil, setBy: AuthorView, at: Int64, reason: String, event: String,
        conflict: [AliasCandidate], request: String? = nil
    ) {
        self.request = request
        self.alias = alias
        self.version = version
        self.versionNumber = versionNumber
        self.setBy = setBy
        self.at = at
        self.reason = reason
        self.event = event
        self.conflict = conflict
    }
}

public struct AliasCandidate: Codable, Sendable, Equatable {
    public var event: String
    public var version: String?
    public var versionNumber: UInt64?
    public var author: AuthorView
    public var reason: String
    public init(event: String, version: String? = nil, versionNumber: UInt64? = nil, author: AuthorView, reason: String) {
        self.event = event
        self.version = version
        self.versionNumber = versionNumber
        self.author = author
        self.reason = reason
    }
}

public struct ModelView: Codable, Sendable, Equatable {
    public var id: String
    public var name: String
    public var description: String?
    public var createdBy: AuthorView
    public var createdAt: Int64
    public var versions: [VersionView]
    public var aliases: [AliasView]
    /// Promotion requests (SPEC 6.15), newest first, where the caller asked for them (`mledger model show`).
    public var requests: [RequestView]?
    public init(
        id: String, name: String, description: String? = nil, createdBy: AuthorView, createdAt: Int64, versions: [VersionView], aliases: [AliasView]
    ) {
        self.id = id
        self.name = name
        self.description = description
        self.createdBy = createdBy
        self.createdAt = createdAt
        self.versions = versions
        self.aliases = aliases
    }
}

/// One line of a model's audit trail.
public struct AuditEntry: Codable, Sendable, Equatable {
    public enum Action: String, Codable, Sendable {
        case versionCreated = "version.create"
        case promoted = "promote"
        case demoted = "demote"
        case archived = "archive"
        case commented = "comment"
        case memberAdded = "member.add"
        case memberRemoved = "member.remove"
        /// An entity hidden from the views by a signed tombstone (the log keeps it), or shown again.
        case deleted = "delete"
        case restored = "restore"
        /// An experiment or registered model given a new name (its id and history stay).
        case renamed = "rename"
        /// Deployments and monitoring (SPEC 6.16): a version deployed or rolled back, a rule added or
        /// removed, a rule fired, and a run its alert started.
        case deployed = "deploy"
        case rolledBack = "rollback"
        case ruleAdded = "rule.add"
        case ruleRemoved = "rule.remove"
        case alerted = "alert"
        case retrained = "retrain"
        /// A promotion request (SPEC 6.15); `text` says where it stands.
        case requested = "request"
        /// An approval or a rejection of a request; `authorized` is false when it did not count.
        case approved = "approve"
        case rejected = "reject"
    }

    public var event: String
    public var time: Int64
    public var author: AuthorView
    public var model: String?
    public var action: Action
    public var alias: String?
    /// Versions (display numbers) the alias pointed at in the author's view before this change.
    public var from: [UInt64]
    public var to: UInt64?
    public var reason: String?
    public var evidence: [String]
    public var signatureVerified: Bool
    /// This write is one of several concurrent, unresolved writes to the same alias.
    public var conflict: Bool
    /// The author signed two different events at the same position of their chain.
    public var fork: Bool
    /// False when the author lacked the role the alias needed: the change is shown but has no effect.
    public var authorized = true
    public var text: String?
    /// The event was imported: from where, originally by whom and when, or as the state at import.
    public var imported: ImportView?
    /// The environment of a deployment, rollback, rule or alert.
    public var environment: String?
    public init(
        event: String, time: Int64, author: AuthorView, model: String? = nil, action: Action, alias: String? = nil, from: [UInt64], to: UInt64? = nil,
        reason: String? = nil, evidence: [String], signatureVerified: Bool, conflict: Bool, fork: Bool, text: String? = nil
    ) {
        self.event = event
        self.time = time
        self.author = author
        self.model = model
        self.action = action
        self.alias = alias
        self.from = from
        self.to = to
        self.reason = reason
        self.evidence = evidence
        self.signatureVerified = signatureVerified
        self.conflict = conflict
        self.fork = fork
        self.text = text
    }
}

/// Two or more different events an author signed at one seq: evidence of a restored or copied key.
public struct ForkView: Codable, Sendable, Equatable {
    public var author: AuthorView
    public var seq: UInt64
    public var events: [String]
    public init(author: AuthorView, seq: UInt64, events: [String]) {
        self.author = author
        self.seq = seq
        self.events = events
    }
}

/// A team member and their role.
public struct MemberView: Codable, Sendable, Equatable {
    public var author: AuthorView
    public var role: String?
    public var active: Bool
    /// For a key retired by a rotation: the key that carries the member on.
    public var replacedBy: AuthorView?

    public init(author: AuthorView, role: String?, active: Bool, replacedBy: AuthorView? = nil) {
        self.author = author
        self.role = role
        self.active = active
        self.replacedBy = replacedBy
    }
}

/// A signed comment on a run, model, version, promotion or another comment.
public struct CommentView: Codable, Sendable, Equatable {
    public var id: String
    public var target: String
    public var replyTo: String?
    public var author: AuthorView
    public var time: Int64
    public var text: String

    public init(id: String, target: String, replyTo: String?, author: AuthorView, time: Int64, text: String) {
        self.id = id
        self.target = target
        self.replyTo = replyTo
        self.author = author
        self.time = time
        self.text = text
    }
}

/// One key of a member: the member key itself or a device it linked, with when it was linked and last
/// signed, and whether it was revoked.
public struct KeyView: Codable, Sendable, Equatable {
    public var key: AuthorView
    public var label: String?
    /// True for the member's own key, false for a linked device.
    public var memberKey: Bool
    public var linkedAt: Int64?
    public var lastEventAt: Int64?
    public var events: Int
    public var revoked: Bool

    public init(key: AuthorView, label: String?, memberKey: Bool, linkedAt: Int64?, lastEventAt: Int64?, events: Int, revoked: Bool) {
        self.key = key
        self.label = label
        self.memberKey = memberKey
        self.linkedAt = linkedAt
        self.lastEventAt = lastEventAt
        self.events = events
        self.revoked = revoked
    }
}

/// A stored event that counts nowhere, and why.
public struct HeldEventView: Codable, Sendable, Equatable {
    public var event: String
    public var author: AuthorView
    public var kind: String
    public var time: Int64
    public var reason: String

    public init(event: String, author: AuthorView, kind: String, time: Int64, reason: String) {
        self.event = event
        self.author = author
        self.kind = kind
        self.time = time
        self.reason = reason
    }
}

/// An MLflow 3 logged model: files, params and tags of a model a run logged, before any registration.
public struct LoggedModelView: Codable, Sendable, Equatable {
    public var id: String
    /// MLflow's id for it: `m-` and the first 32 hex digits of `id`.
    public var mlflowID: String
    public var experimentID: String
    public var name: String
    public var run: String?
    public var modelType: String?
    /// pending, ready or failed.
    public var status: String
    public var statusMessage: String?
    public var author: AuthorView
    public var createdAt: Int64
    public var updatedAt: Int64
    public var params: [String: String]
    public var tags: [String: String]
    public var files: [ArtifactView]
    public var deleted: Bool
    public init(
        id: String, experimentID: String, name: String, run: String?, modelType: String?, status: String, statusMessage: String?,
        author: AuthorView, createdAt: Int64, updatedAt: Int64, params: [String: String], tags: [String: String],
        files: [ArtifactView], deleted: Bool
    ) {
        self.id = id
        self.mlflowID = "m-" + id.prefix(32)
        self.experimentID = experimentID
        self.name = name
        self.run = run
        self.modelType = modelType
        self.status = status
        self.statusMessage = statusMessage
        self.author = author
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.params = params
        self.tags = tags
        self.files = files
        self.deleted = deleted
    }
}
