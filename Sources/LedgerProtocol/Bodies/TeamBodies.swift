/// Founds a team; its author is the first admin. The team id is this event's id.
public struct TeamGenesis: BodyFields {
    public static let kind = EventKind.teamGenesis
    public var name: String
    public init(name: String) { self.name = name }
    public init(fields f: Fields) throws(EventError) { name = try f.meaningfulText("name", maxLength: 256) }
    public var cbor: [String: CBOR] { ["name": .text(name)] }
}

/// Adds a member (identified by their member key) with a role, or changes their role.
public struct MemberAdd: BodyFields {
    public static let kind = EventKind.memberAdd
    public var member: PublicKey
    public var role: Role
    public var name: String?
    public init(member: PublicKey, role: Role, name: String? = nil) {
        self.member = member; self.role = role; self.name = name
    }
    public init(fields f: Fields) throws(EventError) {
        member = try f.publicKey("member")
        guard let r = Role(rawValue: try f.text("role")) else { throw f.fail("unknown role") }
        role = r
        name = try f.optionalText("name")
    }
    public var cbor: [String: CBOR] {
        var m: [String: CBOR] = ["member": .bytes(member.bytes), "role": .text(role.rawValue)]
        m.set("name", name.map(CBOR.text))
        return m
    }
}

/// Removes a member; their keys are revoked from this event on.
public struct MemberRemove: BodyFields {
    public static let kind = EventKind.memberRemove
    public var member: PublicKey
    public var reason: String
    public init(member: PublicKey, reason: String) { self.member = member; self.reason = reason }
    public init(fields f: Fields) throws(EventError) {
        member = try f.publicKey("member")
        reason = try f.meaningfulText("reason", maxLength: 4096)
    }
    public var cbor: [String: CBOR] { ["member": .bytes(member.bytes), "reason": .text(reason)] }
}

/// Marks an alias (such as `production`) as movable only by members with at least `role`.
public struct AliasProtect: BodyFields {
    public static let kind = EventKind.aliasProtect
    public var alias: String
    public var role: Role
    public init(alias: String, role: Role) { self.alias = alias; self.role = role }
    public init(fields f: Fields) throws(EventError) {
        alias = try f.meaningfulText("alias", maxLength: 64)
        guard let r = Role(rawValue: try f.text("role")) else { throw f.fail("unknown role") }
        role = r
    }
    public var cbor: [String: CBOR] { ["alias": .text(alias), "role": .text(role.rawValue)] }
}

/// The display name and email people see for the author's key.
public struct IdentityProfile: BodyFields {
    public static let kind = EventKind.identityProfile
    public var name: String
    public var email: String?
    public init(name: String, email: String? = nil) { self.name = name; self.email = email }
    public init(fields f: Fields) throws(EventError) {
        name = try f.meaningfulText("name", maxLength: 256)
        email = try f.optionalText("email")
    }
    public var cbor: [String: CBOR] {
        var m: [String: CBOR] = ["name": .text(name)]
        m.set("email", email.map(CBOR.text))
        return m
    }
}

/// Links another device key to the author's member identity, so one key never lives on two machines.
public struct DeviceLink: BodyFields {
    public static let kind = EventKind.deviceLink
    public var device: PublicKey
    public var label: String?
    public init(device: PublicKey, label: String? = nil) { self.device = device; self.label = label }
    public init(fields f: Fields) throws(EventError) {
        device = try f.publicKey("device")
        label = try f.optionalText("label")
    }
    public var cbor: [String: CBOR] {
        var m: [String: CBOR] = ["device": .bytes(device.bytes)]
        m.set("label", label.map(CBOR.text))
        return m
    }
}
