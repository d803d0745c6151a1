import GRDB
import LedgerModel
import LedgerProtocol

/// Stores events inside one transaction, received ones (`ingest`) and this device's own (`store`).
///
/// It keeps the team authority in memory: a data event is projected only if its author could sign it at
/// its place in the merge order, and is held (stored, counting nowhere) otherwise. A team event changes the
/// authority; `finish` then writes it and re-judges the stored events of every key whose standing changed.
/// It remembers each author's chain head, so the common case (the next link of a chain) costs no query.
struct IngestSession {
    let db: Database
    var team: LedgerID?
    let nowMs: UInt64
    let enforceRoles: Bool
    /// Highest stored seq per author and the events there (several after a fork).
    private var heads: [PublicKey: (seq: UInt64, links: [ChainLink])] = [:]
    private var events: [TeamEvent]
    private let initial: TeamAuthority
    private(set) var authority: TeamAuthority
    private var changed = false
    /// Events stored since `takeStored`, in the order their rows were inserted.
    private var stored: [SignedEvent] = []
    /// Runs whose start this ledger stores, found so far: a push logs to a few runs many times.
    private var knownRuns: Set<LedgerID> = []

    init(db: Database, team: LedgerID?, nowMs: UInt64, enforceRoles: Bool, state: AuthorityProjection.State) {
        self.db = db
        self.team = team
        self.nowMs = nowMs
        self.enforceRoles = enforceRoles
        events = state.events
        initial = state.authority
        authority = state.authority
    }

    /// With `verifySignature`, checks the signature first, unless the event is stored already (a
    /// duplicate changes nothing, so a pull need not verify again what this ledger holds).
    mutating func ingest(_ event: SignedEvent, decoded: EventBody? = nil, verifySignature: Bool = false) throws -> Ledger.IngestResult {
        let env = event.envelope
        let chain = try neighbourhood(env)
        if verifySignature, !chain.sameSeq.contains(event.id), !event.hasValidSignature() { return .rejected(.badSignature) }
        if team == nil, env.kind != .teamGenesis { return .rejected(.wrongTeam(expected: .zero, got: env.team)) }
        let checked: (placement: ChainPlacement, body: EventBody?)
        do throws(EventError) {
            checked = try ChainRules.check(event, team: team, nowMs: nowMs, chain: chain, decoded: decoded)
        } catch {
            return .rejected(error)
        }
        guard let body = checked.body, checked.placement != .duplicate else { return .duplicate }
        if enforceRoles, env.kind != .teamGenesis, let refusal = try refusal(event, body) { return .rejected(refusal) }
        if env.kind == .teamGenesis, team == nil {
            team = event.id
            try Meta.setTeam(db, event.id)
        }
        try store(event, body)
        let link = ChainLink(id: event.id, clock: env.clock)
        if let head = heads[env.author], env.seq <= head.seq {
            if env.seq == head.seq { heads[env.author]?.links.append(link) }
        } else {
            heads[env.author] = (env.seq, [link])
        }
        if case .fork = checked.placement {
            try TableWrites.fork.execute(db, [env.author, Int64(bitPattern: env.seq)])
            if authority.noteFork(author: env.author, seq: env.seq) { refold() }
            return .fork
        }
        return .accepted
    }

    /// Why the relay refuses an event as the team stands now (SPEC 2.3), or as the ledger stands (a run it
    /// names is unknown, SPEC 8.1), or nil when it may be stored.
    mutating func refusal(_ event: SignedEvent, _ body: EventBody) throws -> EventError? {
        // Held, not counting: a start that stopped counting (a removal cut it) must not block its referrers.
        if let run = body.runReference, try !holdsRunStart(run) {
            return .unknownRun(run)
        }
        return authorityRefusal(event, body)
    }

    private mutating func holdsRunStart(_ run: LedgerID) throws -> Bool {
        if knownRuns.contains(run) { return true }
        let held =
            try Bool.fetchOne(
                db.cachedStatement(sql: "SELECT EXISTS (SELECT 1 FROM events WHERE id = ? AND kind = ?)"),
                arguments: [run, EventKind.runStart.rawValue]) == true
        if held { knownRuns.insert(run) }
        return held
    }

    private func authorityRefusal(_ event: SignedEvent, _ body: EventBody) -> EventError? {
        let te = AuthorityProjection.teamEvent(event, body)
        if body.isTeamEvent { return authority.refusal(te).map(EventError.forbidden) }
        let author = event.envelope.author
        if authority.isCut(key: author, seq: te.seq, order: te.order) {
            return .forbidden("\(author.fingerprint) signed this past the chain end of its removal, or too far past a fork")
        }
        if case .promote(let b) = body, let p = authority.protections[b.alias]?.last, p.approvals > 0 {
            return .approvalRequired(alias: b.alias, approvals: p.approvals)
        }
        let required = authority.requiredRole(for: body)
        guard let role = authority.currentRole(of: author) else {
            return .forbidden("\(author.fingerprint) is not a member of this team (or was removed)")
        }
        guard role >= required else {
            return .forbidden("\(author.fingerprint) is a \(role.rawValue); \(body.kind.rawValue) needs \(required.rawValue)")
        }
        return nil
    }

    /// Stores an accepted event: its row, then its effect on the views (or a hold, if it counts nowhere).
    mutating func store(_ event: SignedEvent, _ body: EventBody) throws {
        try Ledger.insert(db, event)
        stored.append(event)
        let te = AuthorityProjection.teamEvent(event, body)
        if body.isTeamEvent {
            try TableWrites.teamEvent.execute(db, [event.id, te.order])
            events.append(te)
            changed = true
            // In merge order the fold goes on from where it is; an event ordered earlier, or a removal or
            // rotation that cuts team events already applied, folds everything again.
            if let last = authority.last, te.order < last { return refold() }
            authority.apply(te)
            if events.contains(where: { authority.refused[$0.id] == nil && authority.isCut(key: $0.author, seq: $0.seq, order: $0.order) }) {
                refold()
            }
        } else if authority.counts(author: te.author, seq: te.seq, order: te.order, required: Permissions.leastRole(for: body.kind)) {
            try Projector(db: db, team: team ?? event.id).apply(event, body)
        } else {
            try TableWrites.held.execute(db, [event.id, te.author, Self.heldReason])
        }
    }

    static let heldReason = "its author could not sign it at its place in the merge order"

    private mutating func refold() {
        authority = TeamAuthority(events: events, forks: authority.forks)
        changed = true
    }

    /// The events stored since the last call, in the order stored (the rows' order).
    mutating func takeStored() -> [SignedEvent] {
        defer { stored.removeAll() }
        return stored
    }

    /// Writes a changed authority and brings earlier events in line with it: held events that now count
    /// are projected; if an event already projected no longer counts, every view is rebuilt.
    /// Returns the state to cache once the transaction commits.
    mutating func finish() throws -> AuthorityProjection.State? {
        guard changed else { return nil }
        try AuthorityProjection.write(authority, db)
        var needsRebuild = false
        judging: for key in AuthorityProjection.changedKeys(from: initial, to: authority) {
            let rows = try Row.fetchAll(
                db,
                sql: """
                    SELECT e.id, e.seq, e.clock, e.kind, h.event IS NOT NULL AS held FROM events e
                    LEFT JOIN held_events h ON h.event = e.id WHERE e.author = ?
                    """, arguments: [key])
            for row in rows {
                guard let kind = EventKind(rawValue: row["kind"]), !AuthorityProjection.kinds.contains(kind), let id = row["id"] as LedgerID? else {
                    continue
                }
                let seq = UInt64(bitPattern: row["seq"])
                let clock = UInt64(bitPattern: row["clock"])
                let counts = authority.counts(
                    author: key, seq: seq, order: OrderKey(clock: clock, author: key, seq: seq, id: id),
                    required: Permissions.leastRole(for: kind))
                let held: Bool = row["held"]
                if counts, held {
                    guard let stored = try Row.fetchOne(db, sql: "SELECT bytes, signature FROM events WHERE id = ?", arguments: [id]) else {
                        continue
                    }
                    let event = try SignedEvent(bytes: stored.bytes("bytes"), signature: stored.bytes("signature"), verifySignature: false)
                    try db.execute(sql: "DELETE FROM held_events WHERE event = ?", arguments: [id])
                    try Projector(db: db, team: team ?? event.id).apply(event, try event.body())
                } else if !counts, !held {
                    needsRebuild = true
                    break judging
                }
            }
        }
        if needsRebuild { try Ledger.rebuild(db) }
        return AuthorityProjection.State(events: events, authority: authority, stamp: try AuthorityProjection.Stamp.read(db))
    }

    /// The author's chain around `env.seq`, from memory when `env` extends the known head.
    private mutating func neighbourhood(_ env: Envelope) throws -> ChainNeighbourhood {
        if heads[env.author] == nil {
            let (seq, _) = try Ledger.chainHead(db, author: env.author)
            let links = seq == 0 ? [] : try Ledger.links(db, author: env.author, seq: seq)
            heads[env.author] = (seq, links)
        }
        let forked = authority.forks[env.author]
        guard let head = heads[env.author] else { return try Ledger.neighbourhood(db, env, forkedSeq: forked) }
        if env.seq == head.seq + 1 {
            return ChainNeighbourhood(highestSeq: head.seq, predecessors: head.links, sameSeq: [], forkedSeq: forked)
        }
        if env.seq > head.seq + 1 { return ChainNeighbourhood(highestSeq: head.seq, predecessors: [], sameSeq: [], forkedSeq: forked) }
        return try Ledger.neighbourhood(db, env, forkedSeq: forked)
    }
}
