/// Founds a team; its author is the first admin. The team id is this event's id.
public struct TeamGenesis: BodyFields {
    public static let kind = EventKind.teamGenesis
    public var name: String
    public init(name: String) { self.name = name }
    public init(fields f: Fields) throws(EventError) { name = try f.meaningfulText("name", maxLength: 256) }
    public var cbor: [String: CBOR] { ["name": .text(name)] }
}

/// Adds a member (identified by their member key) with a role, or changes their role. With `rotation`,
/// the new key replaces a member's old one: same person, role and history, the old key retired.
public struct MemberAdd: BodyFields {
    public static let kind = EventKind.memberAdd
    public var member: PublicKey
    public var role: Role
    public var name: String?
    public var rotation: KeyRotation?
    public init(member: PublicKey, role: Role, name: String? = nil, rotation: KeyRotation? = nil) {
        self.member = member
        self.role = role
        self.name = name
        self.rotation = rotation
    }
    public init(fields f: Fields) throws(EventError) {
        member = try f.publicKey("member")
        guard let r = Role(rawValue: try f.text("role")) else { throw f.fail("unknown role") }
        role = r
        name = try f.optionalText("name")
        if f.optional("replaces") == nil {
            guard f.optional("consent") == nil, f.optional("chain_end") == nil else {
                throw f.fail("'consent' and 'chain_end' belong to a rotation: 'replaces' is missing")
            }
            rotation = nil
        } else {
            guard case .bytes(let consent) = try f.required("consent"), consent.count == 64 else {
                throw f.fail("a rotation needs 'consent': the old key's 64-byte signature")
            }
            let old = try f.publicKey("replaces")
            guard old != member else { throw f.fail("a key cannot replace itself") }
            rotation = KeyRotation(replaces: old, consent: consent, chainEnd: try f.optionalUnsigned("chain_end"))
        }
    }
    public var cbor: [String: CBOR] {
        var m: [String: CBOR] = ["member": .bytes(member.bytes), "role": .text(role.rawValue)]
        m.set("name", name.map(CBOR.text))
        if let rotation {
            m["replaces"] = .bytes(rotation.replaces.bytes)
            m["consent"] = .bytes(rotation.consent)
            m.set("chain_end", rotation.chainEnd.map(CBOR.unsigned))
        }
        return m
    }
}

/// A member's new key replacing the old one (a lost or retired laptop): the old key consents by signing
/// `message(team:old:new:)`, an admin signs the event, and the old key's chain counts up to `chainEnd`.
public struct KeyRotation: Sendable, Equatable {
    public var replaces: PublicKey
    public var consent: [UInt8]
    /// The last seq of the old key's chain that still counts (nil: no cut).
    public var chainEnd: UInt64?

    public init(replaces: PublicKey, consent: [UInt8], chainEnd: UInt64?) {
        self.replaces = replaces
        self.consent = consent
        self.chainEnd = chainEnd
    }

    /// What the old key signs: a domain tag, the team, the old key and the new one.
    public static func message(team: LedgerID, old: PublicKey, new: PublicKey) -> [UInt8] {
        Array("mledger/rotate/v1".utf8) + team.bytes + old.bytes + new.bytes
    }

    public func isConsented(team: LedgerID, new: PublicKey) -> Bool {
        replaces.verify(signature: consent, message: Self.message(team: team, old: replaces, new: new))
    }
}

/// Removes a member, or revokes one linked device key. The key (and a member's devices) can act no
/// more from this event on; `chainEnds` says how much of each of those keys' chains still counts, so
/// events signed after the removal but dated before it count nowhere.
public struct MemberRemove: BodyFields {
    public static let kind = EventKind.memberRemove
    public var member: PublicKey
    public var reason: String
    /// Per key, the last seq the admin saw and that still counts; absent keys are not cut.
    public var chainEnds: [ChainEnd]
    public init(member: PublicKey, reason: String, chainEnds: [ChainEnd] = []) {
        self.member = member
        self.reason = reason
        self.chainEnds = chainEnds
    }
    public init(fields f: Fields) throws(EventError) {
        member = try f.publicKey("member")
        reason = try f.meaningfulText("reason", maxLength: 4096)
        let items = try f.array("chain_ends")
        guard items.count <= ChainEnd.maxCount else { throw f.fail("'chain_ends' has more than \(ChainEnd.maxCount) entries") }
        chainEnds = []
        for item in items {
            guard case .map(let m) = item else { throw f.fail("each chain end must be a map") }
            let g = Fields(kind: f.kind, map: m)
            let end = ChainEnd(author: try g.publicKey("author"), seq: try g.unsigned("seq"))
            guard !chainEnds.contains(where: { $0.author == end.author }) else { throw f.fail("two chain ends for one author") }
            chainEnds.append(end)
        }
    }
    public var cbor: [String: CBOR] {
        var m: [String: CBOR] = ["member": .bytes(member.bytes), "reason": .text(reason)]
        if !chainEnds.isEmpty { m["chain_ends"] = .array(chainEnds.map(\.cbor)) }
        return m
    }
}

/// The last event of one author's chain that still counts after a removal: (author, seq).
public struct ChainEnd: Sendable, Equatable, Hashable {
    /// A member with more keys than this is removed in several events.
    public static let maxCount = 32
    public var author: PublicKey
    public var seq: UInt64
    public init(author: PublicKey, seq: UInt64) {
        self.author = author
        self.seq = seq
    }
    var cbor: CBOR { .map(["author": .bytes(author.bytes), "seq": .unsigned(seq)]) }
}

/// Marks an alias (such as `production`) as movable only by members with at least `role`. With
/// `approvals`, nobody moves it directly: a promotion request moves it once that many distinct members with
/// `role` approved (SPEC 6.15), and with `notRequester` the requester's own approval does not count.
public struct AliasProtect: BodyFields {
    public static let kind = EventKind.aliasProtect
    /// The most approvals a protection may ask for: more than a team could give is a typo.
    public static let maxApprovals: UInt64 = 32
    public var alias: String
    public var role: Role
    /// Distinct approvals a promotion needs; 0 when the alias moves directly (a protection without the field).
    public var approvals: Int
    public var notRequester: Bool
    public init(alias: String, role: Role, approvals: Int = 0, notRequester: Bool = false) {
        self.alias = alias.nfc
        self.role = role
        self.approvals = approvals
        self.notRequester = notRequester
    }
    public init(fields f: Fields) throws(EventError) {
        alias = try f.identifier("alias", maxLength: 64)
        guard let r = Role(rawValue: try f.text("role")) else { throw f.fail("unknown role") }
        role = r
        let n = try f.optionalUnsigned("approvals")
        if let n, n < 1 || n > Self.maxApprovals { throw f.fail("'approvals' must be 1 to \(Self.maxApprovals)") }
        approvals = Int(n ?? 0)
        let excluded = try f.bool("not_requester")
        if excluded != nil, n == nil { throw f.fail("'not_requester' belongs to a protection with 'approvals'") }
        notRequester = excluded ?? false
    }
    public var cbor: [String: CBOR] {
        var m: [String: CBOR] = ["alias": .text(alias), "role": .text(role.rawValue)]
        if approvals > 0 {
            m["approvals"] = .unsigned(UInt64(approvals))
            if notRequester { m["not_requester"] = .bool(true) }
        }
        return m
    }
}

/// The display name and email people see for the author's key.
public struct IdentityProfile: BodyFields {
    public static let kind = EventKind.identityProfile
    public var name: String
    public var email: String?
    public init(name: String, email: String? = nil) {
        self.name = name
        self.email = email
    }
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
/// The device consents by signing `message(team:member:device:)`: a key can only be linked by the member
/// whose device it is, not by someone who merely learned it (and would then own its events).
public struct DeviceLink: BodyFields {
    public static let kind = EventKind.deviceLink
    public var device: PublicKey
    public var label: String?
    /// The device key's signature of `message(team:member:device:)`; a link without it changes nothing.
    public var consent: [UInt8]?
    public init(device: PublicKey, label: String? = nil, consent: [UInt8]? = nil) {
        self.device = device
        self.label = label
        self.consent = consent
    }
    /// A link whose consent `device` signs here (where both keys are at hand: tests, vectors, tools).
    public init(linking device: SigningKey, to member: PublicKey, team: LedgerID, label: String? = nil) {
        self.init(
            device: device.publicKey, label: label,
            consent: device.sign(Self.message(team: team, member: member, device: device.publicKey)))
    }
    public init(fields f: Fields) throws(EventError) {
        device = try f.publicKey("device")
        label = try f.optionalText("label")
        switch f.optional("consent") {
        case nil: consent = nil
        case .bytes(let signature) where signature.count == 64: consent = signature
        default: throw f.fail("'consent' must be the device key's 64-byte signature")
        }
    }
    public var cbor: [String: CBOR] {
        var m: [String: CBOR] = ["device": .bytes(device.bytes)]
        m.set("label", label.map(CBOR.text))
        m.set("consent", consent.map(CBOR.bytes))
        return m
    }

    /// What the device key signs: a domain tag, the team, the member linking it and the device itself.
    public static func message(team: LedgerID, member: PublicKey, device: PublicKey) -> [UInt8] {
        Array("mledger/link/v1".utf8) + team.bytes + member.bytes + device.bytes
    }

    public func isConsented(team: LedgerID, member: PublicKey) -> Bool {
        guard let consent else { return false }
        return device.verify(signature: consent, message: Self.message(team: team, member: member, device: device))
    }
}
