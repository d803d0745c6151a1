import LedgerProtocol

/// One team event (genesis, member add or remove, alias protection, device link) as the authority fold
/// reads it.
public struct TeamEvent: Sendable {
    public var id: LedgerID
    public var order: OrderKey
    public var author: PublicKey
    public var seq: UInt64
    public var body: EventBody

    public init(id: LedgerID, order: OrderKey, author: PublicKey, seq: UInt64, body: EventBody) {
        self.id = id
        self.order = order
        self.author = author
        self.seq = seq
        self.body = body
    }
}

/// A key's role from a point of the merge order on; nil means it may sign nothing.
public struct Standing: Sendable, Equatable {
    public var from: OrderKey
    public var role: Role?
}

/// A removal's cut of one key's chain: its events ordered before the removal with a seq above `maxSeq`
/// were signed after what the admin saw, and count nowhere.
public struct Cutoff: Sendable, Equatable {
    public var removal: OrderKey
    public var maxSeq: UInt64
}

/// Who may do what at every point of the merge order, folded from the team events alone.
///
/// Every team event is checked against the team as it stood just before it (its place in the merge order),
/// by the same rules the relay applies on arrival; one that was not allowed changes nothing. Every client
/// folds the same events to the same answer, so a relay that let a stranger's self-made admin through
/// changes nothing anywhere. Removals cut the removed keys' chains at the ends the admin saw; events cut
/// that way are left out and the fold is run again until nothing more is cut.
public struct TeamAuthority: Sendable {
    public struct Member: Sendable, Equatable {
        public var role: Role?
        public var name: String?
        public var order: OrderKey
        /// The key that replaced this one (a rotation), if any.
        public var replacedBy: PublicKey?
        public var active: Bool { role != nil }
    }

    public struct Device: Sendable, Equatable {
        public var member: PublicKey
        public var label: String?
        public var order: OrderKey
        public var revoked: Bool
    }

    public struct Protection: Sendable, Equatable {
        public var order: OrderKey
        public var role: Role
        /// Distinct approvals a promotion needs (SPEC 6.15); 0: the alias moves directly.
        public var approvals: Int = 0
        /// The requester's own approval does not count.
        public var notRequester: Bool = false
    }

    /// Role timelines of every key that ever had one (members and linked devices), in merge order.
    public private(set) var standings: [PublicKey: [Standing]] = [:]
    public private(set) var cutoffs: [PublicKey: [Cutoff]] = [:]
    public private(set) var members: [PublicKey: Member] = [:]
    public private(set) var devices: [PublicKey: Device] = [:]
    public private(set) var protections: [String: [Protection]] = [:]
    /// Protected environments (deployments), as `protections` for aliases.
    public private(set) var environmentProtections: [String: [Protection]] = [:]
    /// Team events that changed nothing, and why.
    public private(set) var refused: [LedgerID: String] = [:]
    /// The merge-order key of the last event folded.
    public private(set) var last: OrderKey?
    /// The team id (the genesis event's id), which rotation consents name.
    public private(set) var team: LedgerID?
    /// Per forked author, the lowest forked seq: past `ForkBound` their events count nowhere.
    public private(set) var forks: [PublicKey: UInt64]

    public init(forks: [PublicKey: UInt64] = [:]) { self.forks = forks }

    /// Folds team events given in any order.
    public init(events: [TeamEvent], forks: [PublicKey: UInt64] = [:]) {
        let sorted = events.sorted { $0.order < $1.order }
        var excluded = Set<LedgerID>()
        while true {
            var fold = TeamAuthority(forks: forks)
            for event in sorted where !excluded.contains(event.id) { fold.apply(event) }
            let cut = sorted.filter { !excluded.contains($0.id) && fold.isCut(key: $0.author, seq: $0.seq, order: $0.order) }
            if cut.isEmpty {
                for event in sorted where excluded.contains(event.id) { fold.refused[event.id] = Self.cutReason }
                self = fold
                return
            }
            excluded.formUnion(cut.map(\.id))
        }
    }

    // MARK: - Questions every view asks

    /// The role a key acted with just before `order` (a member's own, or its member's for a device).
    public func role(of key: PublicKey, before order: OrderKey) -> Role? {
        guard let timeline = standings[key] else { return nil }
        return timeline.last(where: { $0.from < order })?.role ?? nil
    }

    /// The protection of an alias just before `order`, if any.
    public func protection(of alias: String, before order: OrderKey) -> Protection? {
        protections[alias]?.last(where: { $0.order < order })
    }

    /// The person behind a key: a device's member, and for a rotated member key the key that replaced it,
    /// so one member's keys count as one approver.
    public func person(of key: PublicKey) -> PublicKey {
        var person = devices[key]?.member ?? key
        var seen: Set<PublicKey> = [person]
        while let next = members[person]?.replacedBy, seen.insert(next).inserted { person = next }
        return person
    }

    /// The key's role as the team stands now.
    public func currentRole(of key: PublicKey) -> Role? { standings[key]?.last?.role ?? nil }

    /// Whether an event counts nowhere whatever the roles: past a removal's chain end, or too far past a fork.
    public func isCut(key: PublicKey, seq: UInt64, order: OrderKey) -> Bool {
        ForkBound.isBeyond(seq: seq, forkedSeq: forks[key])
            || cutoffs[key]?.contains { order < $0.removal && seq > $0.maxSeq } ?? false
    }

    /// The kinds the fold reads: every other kind is judged by the authority they make.
    public static let kinds: Set<EventKind> = [.teamGenesis, .memberAdd, .memberRemove, .aliasProtect, .environmentProtect, .deviceLink]

    static let cutReason = "past the chain end its author's removal kept, or too far past a fork of its chain"

    /// Records a fork of `author`'s chain at `seq`. True when it changes what counts.
    public mutating func noteFork(author: PublicKey, seq: UInt64) -> Bool {
        guard seq < forks[author] ?? .max else { return false }
        forks[author] = seq
        return true
    }

    /// Whether an event by `author` at `seq` and `order` counts for a view, needing `required`.
    public func counts(author: PublicKey, seq: UInt64, order: OrderKey, required: Role) -> Bool {
        guard !isCut(key: author, seq: seq, order: order), let role = role(of: author, before: order) else { return false }
        return role >= required
    }

    // MARK: - The fold

    /// Applies one event after every event folded so far; a refused event changes nothing and is
    /// remembered in `refused`.
    public mutating func apply(_ event: TeamEvent) {
        last = event.order
        if let why = refusal(event) {
            refused[event.id] = why
            return
        }
        let order = event.order
        switch event.body {
        case .teamGenesis:
            team = event.id
            members[event.author] = Member(role: .admin, name: nil, order: order)
            setRole(of: event.author, .admin, at: order)
        case .memberAdd(let b):
            guard let rotation = b.rotation else {
                members[b.member] = Member(role: b.role, name: b.name, order: order)
                setRole(of: b.member, b.role, at: order)
                return
            }
            // The new key takes over the member: their name, their devices, and the role the admin gives.
            let old = rotation.replaces
            let name = b.name ?? members[old]?.name
            for (key, device) in devices where device.member == old && !device.revoked { devices[key]?.member = b.member }
            members[old] = Member(role: nil, name: members[old]?.name, order: order, replacedBy: b.member)
            setRole(of: old, nil, at: order)
            if let end = rotation.chainEnd { cutoffs[old, default: []].append(Cutoff(removal: order, maxSeq: end)) }
            members[b.member] = Member(role: b.role, name: name, order: order)
            setRole(of: b.member, b.role, at: order)
        case .memberRemove(let b):
            let keys: Set<PublicKey>
            if var device = devices[b.member] {
                device.revoked = true
                devices[b.member] = device
                standings[b.member, default: []].append(Standing(from: order, role: nil))
                keys = [b.member]
            } else {
                members[b.member] = Member(role: nil, name: nil, order: order)
                keys = setRole(of: b.member, nil, at: order)
            }
            // Only the removed keys' own chains can be cut.
            for end in b.chainEnds where keys.contains(end.author) {
                cutoffs[end.author, default: []].append(Cutoff(removal: order, maxSeq: end.seq))
            }
        case .aliasProtect(let b):
            protections[b.alias, default: []].append(
                Protection(order: order, role: b.role, approvals: b.approvals, notRequester: b.notRequester))
        case .environmentProtect(let b):
            environmentProtections[b.environment, default: []].append(Protection(order: order, role: b.role))
        case .deviceLink(let b):
            devices[b.device] = Device(member: event.author, label: b.label, order: order, revoked: false)
            standings[b.device, default: []].append(Standing(from: order, role: currentRole(of: event.author)))
        default:
            break
        }
    }

    /// Why a team event may not change the team as it stands, or nil when it may.
    public func refusal(_ event: TeamEvent) -> String? {
        let author = event.author
        if isCut(key: author, seq: event.seq, order: event.order) { return Self.cutReason }
        if case .teamGenesis = event.body {
            return standings.isEmpty ? nil : "a team has one genesis"
        }
        // A member may revoke a device of their own, whatever their role.
        if case .memberRemove(let b) = event.body, let device = devices[b.member], device.member == author, devices[author] == nil {
            guard currentRole(of: author) != nil else { return "\(author.fingerprint) is not a member at this point" }
            return device.revoked ? "\(b.member.fingerprint) is revoked already" : nil
        }
        let required = requiredRole(for: event.body)
        guard let role = currentRole(of: author) else { return "\(author.fingerprint) is not a member at this point" }
        guard role >= required else { return "\(author.fingerprint) is a \(role.rawValue); \(event.body.kind.rawValue) needs \(required.rawValue)" }
        switch event.body {
        case .deviceLink(let b):
            if devices[author] != nil { return "a device is linked by its member's own key, not by another device" }
            if members[b.device] != nil || devices[b.device] != nil { return "\(b.device.fingerprint) is already a member's key or a linked device" }
            guard let team, b.isConsented(team: team, member: author) else {
                return "the device key \(b.device.fingerprint) did not sign its consent to this link"
            }
        case .memberAdd(let b):
            if devices[b.member] != nil { return "\(b.member.fingerprint) is a linked device; its member's role covers it" }
            if let rotation = b.rotation {
                if members[rotation.replaces]?.active != true { return "\(rotation.replaces.fingerprint) is not an active member to rotate" }
                if members[b.member] != nil { return "\(b.member.fingerprint) is a member's key already; a rotation needs a new key" }
                guard let team, rotation.isConsented(team: team, new: b.member) else {
                    return "the old key \(rotation.replaces.fingerprint) did not sign its consent to this rotation"
                }
            }
        case .memberRemove(let b):
            if members[b.member]?.active != true, devices[b.member].map({ !$0.revoked }) != true {
                return "\(b.member.fingerprint) is not an active member or linked device"
            }
        default: break
        }
        return nil
    }

    /// The least role an event needs as the team stands now, protections included.
    public func requiredRole(for body: EventBody) -> Role {
        Permissions.requiredRole(
            for: body, protection: { protections[$0]?.last?.role }, environment: { environmentProtections[$0]?.last?.role }) ?? .reader
    }

    /// Sets a member's role from `order` on, for the member key and every device it linked; returns those keys.
    @discardableResult
    private mutating func setRole(of member: PublicKey, _ role: Role?, at order: OrderKey) -> Set<PublicKey> {
        var keys: Set<PublicKey> = [member]
        standings[member, default: []].append(Standing(from: order, role: role))
        for (key, device) in devices where device.member == member && !device.revoked {
            standings[key, default: []].append(Standing(from: order, role: role))
            keys.insert(key)
        }
        return keys
    }
}
