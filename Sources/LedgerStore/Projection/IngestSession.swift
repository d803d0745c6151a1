import GRDB
import LedgerModel
import LedgerProtocol

/// Stores received events inside one transaction. It remembers each author's chain head and the roles
/// it looked up, so the common case (the next link of a chain, by a known member) costs no extra query.
struct IngestSession {
    let db: Database
    var team: LedgerID?
    let nowMs: UInt64
    let enforceRoles: Bool
    /// Highest stored seq per author and the ids there (several after a fork).
    private var heads: [PublicKey: (seq: UInt64, ids: [LedgerID])] = [:]
    private var roles = Authorization.Cache()

    init(db: Database, team: LedgerID?, nowMs: UInt64, enforceRoles: Bool) {
        self.db = db; self.team = team; self.nowMs = nowMs; self.enforceRoles = enforceRoles
    }

    mutating func ingest(_ event: SignedEvent, decoded: EventBody? = nil) throws -> Ledger.IngestResult {
        let env = event.envelope
        if team == nil, env.kind != .teamGenesis { return .rejected(.wrongTeam(expected: .zero, got: env.team)) }
        let checked: (placement: ChainPlacement, body: EventBody?)
        let chain = try neighbourhood(env)
        do throws(EventError) {
            checked = try ChainRules.check(event, team: team, nowMs: nowMs, chain: chain, decoded: decoded)
        } catch {
            return .rejected(error)
        }
        guard let body = checked.body, checked.placement != .duplicate else { return .duplicate }
        if enforceRoles, let refusal = try Authorization.checkNow(event, body, db, cache: &roles) { return .rejected(refusal) }
        if env.kind == .teamGenesis, team == nil {
            team = event.id
            try Meta.setTeam(db, event.id)
        }
        try Ledger.insert(db, event)
        try Projector(db: db, team: team ?? event.id).apply(event, body)
        if body.changesRoles { roles = Authorization.Cache() }
        if let head = heads[env.author], env.seq <= head.seq {
            if env.seq == head.seq { heads[env.author]?.ids.append(event.id) }
        } else {
            heads[env.author] = (env.seq, [event.id])
        }
        if case .fork = checked.placement { return .fork }
        return .accepted
    }

    /// The author's chain around `env.seq`, from memory when `env` extends the known head.
    private mutating func neighbourhood(_ env: Envelope) throws -> ChainNeighbourhood {
        if heads[env.author] == nil {
            let (seq, _) = try Ledger.chainHead(db, author: env.author)
            let ids = seq == 0 ? [] : try Ledger.ids(db, author: env.author, seq: seq)
            heads[env.author] = (seq, ids)
        }
        guard let head = heads[env.author] else { return try Ledger.neighbourhood(db, env) }
        if env.seq == head.seq + 1 { return ChainNeighbourhood(highestSeq: head.seq, predecessors: head.ids, sameSeq: []) }
        if env.seq > head.seq + 1 { return ChainNeighbourhood(highestSeq: head.seq, predecessors: [], sameSeq: []) }
        return try Ledger.neighbourhood(db, env)
    }
}

extension EventBody {
    /// Events after which cached roles, protections and devices no longer hold.
    var changesRoles: Bool {
        switch self {
        case .teamGenesis, .memberAdd, .memberRemove, .aliasProtect, .deviceLink: true
        default: false
        }
    }
}
