import GRDB
import LedgerModel
import LedgerProtocol

/// One alias register of a model: its state with the writes of approved requests, and every request on it.
struct AliasRegister {
    var state: RegisterState<LedgerID?>
    var approvals: AliasApprovals
    var requests: [LedgerID: RequestRecord]
}

extension Ledger {
    /// Every alias register of a model, with requests and their outcomes (SPEC 6.15), from the signed events.
    func aliasRegisters(_ model: LedgerID, _ db: Database) throws -> [String: AliasRegister] {
        var archived = [LedgerID: OrderKey]()
        for row in try Row.fetchAll(
            db, sql: "SELECT a.version, a.ord FROM version_archived a JOIN versions v ON v.id = a.version WHERE v.model = ?", arguments: [model])
        {
            if let ord = row["ord"] as OrderKey? { archived[row["version"]] = ord }
        }
        var direct = [String: [(write: RegisterWrite<LedgerID?>, order: OrderKey)]]()
        for row in try Row.fetchAll(db, sql: "SELECT event, alias, version, clock, author, ord FROM alias_events WHERE model = ?", arguments: [model])
        {
            let event: LedgerID = row["event"]
            let version = row["version"] as LedgerID?
            guard let author = row["author"] as PublicKey?, let ord = row["ord"] as OrderKey?,
                try Authorization.wasAllowed(alias: row["alias"], author: author, ord: ord, promotes: version != nil, db),
                // An archived version cannot serve again: a promotion after its archival counts nowhere (9.2).
                version.flatMap({ archived[$0] }).map({ $0 > ord }) ?? true
            else { continue }
            let write = RegisterWrite(event: event, clock: UInt64(bitPattern: row["clock"]), heads: try supersededBy(event, db), value: version)
            direct[row["alias"], default: []].append((write, ord))
        }
        var requests = [String: [RequestRecord]]()
        for event in try Self.storedEvents(
            "SELECT e.bytes, e.signature FROM promotion_requests p JOIN events e ON e.id = p.id WHERE p.model = ?", [model], db)
        {
            if case .promotionRequest(let b) = try event.body() { requests[b.alias, default: []].append(RequestRecord(event, b)) }
        }
        var decisions = [DecisionRecord]()
        for event in try Self.storedEvents(
            """
            SELECT e.bytes, e.signature FROM promotion_decisions d JOIN events e ON e.id = d.event
            WHERE d.request IN (SELECT id FROM promotion_requests WHERE model = ?)
            """, [model], db)
        {
            if case .promotionDecision(let b) = try event.body() { decisions.append(DecisionRecord(event, b)) }
        }
        let authority = requests.isEmpty ? TeamAuthority() : try authorityState(db).authority
        var registers = [String: AliasRegister]()
        for alias in Set(direct.keys).union(requests.keys) {
            let onAlias = requests[alias] ?? []
            let approvals = AliasApprovals(
                direct: direct[alias] ?? [], requests: onAlias, decisions: decisions, archived: archived, authority: authority)
            registers[alias] = AliasRegister(
                state: RegisterState(writes: (direct[alias] ?? []).map(\.write) + approvals.writes), approvals: approvals,
                requests: Dictionary(uniqueKeysWithValues: onAlias.map { ($0.id, $0) }))
        }
        return registers
    }

    static func storedEvents(_ sql: String, _ arguments: StatementArguments, _ db: Database) throws -> [SignedEvent] {
        try Row.fetchAll(db, sql: sql, arguments: arguments).map {
            try SignedEvent(bytes: $0.bytes("bytes"), signature: $0.bytes("signature"), verifySignature: false)
        }
    }

    /// Promotion requests, newest first: of one model or of all, optionally only the open ones.
    public func requests(model: LedgerID? = nil, openOnly: Bool = false) throws(StoreError) -> [RequestView] {
        try read { db in
            let models = try model.map { [$0] } ?? LedgerID.fetchAll(db, sql: "SELECT DISTINCT model FROM promotion_requests")
            let authors = Authors(names: try names(db))
            return try models.flatMap { try requestViews($0, db, authors) }
                .filter { !openOnly || $0.state == .open }
                .sorted { ($0.at, $0.id) > ($1.at, $1.id) }
        }
    }

    /// One request, by its id or a unique hex prefix.
    public func request(_ text: String) throws(StoreError) -> RequestView {
        try read { db in
            let id = try resolve("promotion_requests", what: "promotion request", text, in: db)
            guard let model = try LedgerID.fetchOne(db, sql: "SELECT model FROM promotion_requests WHERE id = ?", arguments: [id]),
                let view = try requestViews(model, db, Authors(names: try names(db))).first(where: { $0.id == id.hex })
            else { throw StoreError.notFound(what: "promotion request", name: text) }
            return view
        }
    }

    func requestViews(_ model: LedgerID, _ db: Database, _ authors: Authors) throws -> [RequestView] {
        let numbers = try versionNumbers(model, db)
        let name = try String.fetchOne(db, sql: "SELECT \(CurrentName.of("m")) FROM models m WHERE id = ?", arguments: [model]) ?? model.short
        return try aliasRegisters(model, db).values.flatMap { register in
            register.requests.values.compactMap { r -> RequestView? in
                guard let outcome = register.approvals.outcomes[r.id] else { return nil }
                return RequestView(
                    id: r.id.hex, model: model.hex, modelName: name, version: r.body.version.hex, versionNumber: numbers[r.body.version]?.number,
                    alias: r.body.alias, requestedBy: authors.view(r.author), at: Int64(HybridClock.milliseconds(r.order.clock)),
                    reason: r.body.reason, evidence: r.body.evidence, state: outcome.state, rule: outcome.rule, approvals: outcome.approvers.count,
                    decisions: outcome.decisions.map { DecisionView($0.decision, $0.count, author: authors.view($0.decision.author)) },
                    decidedAt: outcome.decidedBy.map { Int64(HybridClock.milliseconds($0.order.clock)) }, decidedBy: outcome.decidedBy?.id.hex,
                    expiry: outcome.expiry)
            }
        }
    }
}
