/// Records that a model version now serves in an environment (such as `production`), where, and why.
/// Which deployment it replaced is not signed: every view finds it in the merge order.
public struct DeploymentRecord: BodyFields {
    public static let kind = EventKind.deploymentRecord
    public var model: LedgerID
    public var version: LedgerID
    public var environment: String
    /// Where it runs (a host, a cluster, a URL), as the deployer names it.
    public var target: String?
    public var reason: String
    public init(model: LedgerID, version: LedgerID, environment: String, target: String? = nil, reason: String) {
        self.model = model
        self.version = version
        self.environment = environment.nfc
        self.target = target
        self.reason = reason
    }
    public init(fields f: Fields) throws(EventError) {
        model = try f.id("model")
        version = try f.id("version")
        environment = try f.identifier("environment", maxLength: 64)
        target = try f.optionalText("target", maxLength: 1024)
        reason = try f.meaningfulText("reason", maxLength: 4096)
    }
    public var cbor: [String: CBOR] {
        var m: [String: CBOR] = [
            "model": .bytes(model.bytes), "version": .bytes(version.bytes), "environment": .text(environment), "reason": .text(reason),
        ]
        m.set("target", target.map(CBOR.text))
        return m
    }
}

/// Puts an earlier version back into an environment. Both versions are signed, so the record says what
/// its author saw serving (`from`) and what serves now (`version`), whatever arrives later.
public struct DeploymentRollback: BodyFields {
    public static let kind = EventKind.deploymentRollback
    public var model: LedgerID
    public var environment: String
    public var version: LedgerID
    public var from: LedgerID?
    public var reason: String
    public init(model: LedgerID, environment: String, version: LedgerID, from: LedgerID?, reason: String) {
        self.model = model
        self.environment = environment.nfc
        self.version = version
        self.from = from
        self.reason = reason
    }
    public init(fields f: Fields) throws(EventError) {
        model = try f.id("model")
        environment = try f.identifier("environment", maxLength: 64)
        version = try f.id("version")
        from = try f.optionalID("from")
        reason = try f.meaningfulText("reason", maxLength: 4096)
    }
    public var cbor: [String: CBOR] {
        var m: [String: CBOR] = [
            "model": .bytes(model.bytes), "environment": .text(environment), "version": .bytes(version.bytes), "reason": .text(reason),
        ]
        m.set("from", from.map { .bytes($0.bytes) })
        return m
    }
}

/// Makes deployments to an environment (such as `production`) the business of a role or above, as
/// `team.alias.protect` does for aliases.
public struct EnvironmentProtect: BodyFields {
    public static let kind = EventKind.environmentProtect
    public var environment: String
    public var role: Role
    public init(environment: String, role: Role) {
        self.environment = environment.nfc
        self.role = role
    }
    public init(fields f: Fields) throws(EventError) {
        environment = try f.identifier("environment", maxLength: 64)
        guard let r = Role(rawValue: try f.text("role")) else { throw f.fail("unknown role") }
        role = r
    }
    public var cbor: [String: CBOR] { ["environment": .text(environment), "role": .text(role.rawValue)] }
}
