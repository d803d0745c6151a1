import LedgerProtocol

/// One deployment record or rollback (SPEC 6.16) as the fold reads it.
public struct DeploymentEntry: Sendable, Equatable {
    public var event: LedgerID
    public var order: OrderKey
    public var environment: String
    public var version: LedgerID
    public var rollback: Bool
    /// For a rollback: the version its author saw serving (signed).
    public var rolledBack: LedgerID?
    public var target: String?
    public var reason: String
    public var author: PublicKey
    /// Unix ms of the event's clock.
    public var time: Int64

    public init(
        event: LedgerID, order: OrderKey, environment: String, version: LedgerID, rollback: Bool, rolledBack: LedgerID? = nil,
        target: String? = nil, reason: String, author: PublicKey, time: Int64
    ) {
        self.event = event
        self.order = order
        self.environment = environment
        self.version = version
        self.rollback = rollback
        self.rolledBack = rolledBack
        self.target = target
        self.reason = reason
        self.author = author
        self.time = time
    }
}

/// A version's time serving in one environment: from its entry until the next entry replaced it.
public struct Stint: Sendable, Equatable {
    public var entry: DeploymentEntry
    /// The version that served before, in merge order (nil for the first deployment).
    public var replaced: LedgerID?
    /// When the next entry replaced it (nil while it serves).
    public var until: Int64?
    /// Whether the next entry was a rollback away from it.
    public var rolledBack: Bool
}

/// Which version serves in which environment, since when, and what it replaced: a fold of the entries
/// in merge order, so every client holding the same events draws the same timeline.
public enum Deployments {
    /// Per environment, its stints in merge order.
    public static func timelines(_ entries: [DeploymentEntry]) -> [String: [Stint]] {
        var out = [String: [Stint]]()
        for entry in entries.sorted(by: { $0.order < $1.order }) {
            var stints = out[entry.environment, default: []]
            if let last = stints.indices.last {
                stints[last].until = entry.time
                stints[last].rolledBack = entry.rollback
            }
            stints.append(Stint(entry: entry, replaced: stints.last?.entry.version, until: nil, rolledBack: false))
            out[entry.environment] = stints
        }
        return out
    }

    /// The version a rollback returns to: the latest earlier stint of another version that was not itself
    /// rolled back. Nil when nothing served before.
    public static func rollbackTarget(_ stints: [Stint]) -> LedgerID? {
        guard let current = stints.last else { return nil }
        return stints.dropLast().reversed().first { !$0.rolledBack && $0.entry.version != current.entry.version }?.entry.version
    }

    /// The stint serving at `time` (Unix ms), if any.
    public static func serving(at time: Int64, in stints: [Stint]) -> Stint? {
        stints.last { $0.entry.time <= time && ($0.until.map { time < $0 } ?? true) }
    }
}
