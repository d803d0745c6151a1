import Foundation
import GRDB
import LedgerModel
import LedgerProtocol

extension Ledger {
    /// The audit trail, oldest first: versions, promotions, demotions, archivals and comments of one
    /// model (or of all models, with member changes, when `model` is nil). Each entry's signature is
    /// checked again from the stored bytes.
    public func audit(model: LedgerID? = nil) throws(StoreError) -> [AuditEntry] {
        try read { db in
            let authors = Authors(names: try names(db))
            let forked = Set(
                try Row.fetchAll(db, sql: "SELECT author, seq FROM events GROUP BY author, seq HAVING count(*) > 1")
                    .map { "\(Hex.encode($0.bytes("author")))/\($0["seq"] as Int64)" })
            let modelIDs = try model.map { [$0] } ?? LedgerID.fetchAll(db, sql: "SELECT id FROM models")
            var entries = [AuditEntry]()

            func entry(_ eventID: LedgerID, _ action: AuditEntry.Action, model: LedgerID?, build: (inout AuditEntry) -> Void) throws {
                guard
                    let row = try Row.fetchOne(db, sql: "SELECT author, seq, clock, bytes, signature FROM events WHERE id = ?", arguments: [eventID]),
                    let key = row["author"] as PublicKey?
                else { return }
                let verified =
                    key.verify(signature: row.bytes("signature"), message: row.bytes("bytes"))
                    && Hashing.blake2b256(row.bytes("bytes")) == eventID
                var e = AuditEntry(
                    event: eventID.hex, time: Self.ms(row["clock"]), author: authors.view(key), model: model?.hex,
                    action: action, from: [], evidence: [], signatureVerified: verified, conflict: false,
                    fork: forked.contains("\(key.hex)/\(row["seq"] as Int64)"))
                e.imported = try Self.importView(eventID, db)
                build(&e)
                entries.append(e)
            }

            let tombstones = try Self.counted(.entityDelete, db) { if case .entityDelete(let b) = $0 { b } else { nil } }
            let renames = try Self.counted(.entityRename, db) { if case .entityRename(let b) = $0 { b } else { nil } }
            var shown = Set<LedgerID>()
            for m in modelIDs {
                let numbers = try versionNumbers(m, db)
                let states = try aliasStates(m, db)
                let conflicted = Set(states.values.filter(\.isConflict).flatMap { $0.heads.map(\.event) })
                var versionOfAliasEvent = [LedgerID: LedgerID?]()
                let aliasRows = try Row.fetchAll(db, sql: "SELECT * FROM alias_events WHERE model = ?", arguments: [m])
                for r in aliasRows { versionOfAliasEvent[r["event"] as LedgerID] = r["version"] as LedgerID? }
                // An approved request is a write of its alias register under its own id (SPEC 6.15).
                for r in try Row.fetchAll(db, sql: "SELECT id, version FROM promotion_requests WHERE model = ?", arguments: [m]) {
                    versionOfAliasEvent[r["id"] as LedgerID] = r["version"] as LedgerID?
                }
                var targets = [m]

                for v in try Row.fetchAll(db, sql: "SELECT id, claimed_number FROM versions WHERE model = ?", arguments: [m]) {
                    let vid: LedgerID = v["id"]
                    targets.append(vid)
                    try entry(vid, .versionCreated, model: m) { $0.to = numbers[vid]?.number }
                }
                for r in aliasRows {
                    let eid: LedgerID = r["event"]
                    targets.append(eid)
                    let heads = try supersededBy(eid, db)
                    let version = r["version"] as LedgerID?
                    let evidence = (r["evidence"] as String?).flatMap { try? JSONDecoder().decode([String].self, from: Data($0.utf8)) } ?? []
                    try entry(eid, version == nil ? .demoted : .promoted, model: m) { e in
                        e.alias = r["alias"]
                        e.to = version.flatMap { numbers[$0]?.number }
                        e.from = heads.compactMap { versionOfAliasEvent[$0] ?? nil }.compactMap { numbers[$0]?.number }.sorted()
                        e.reason = r["reason"]
                        e.evidence = evidence
                        e.conflict = conflicted.contains(eid)
                        if let author = r["author"] as PublicKey?, let ord = r["ord"] as OrderKey? {
                            let backdated = states[r["alias"]]?.backdated.contains(eid) ?? false
                            e.authorized =
                                !backdated
                                && ((try? Authorization.wasAllowed(
                                    alias: r["alias"], author: author, ord: ord, promotes: r["version"] as LedgerID? != nil, db)) ?? false)
                        }
                    }
                }
                try requestEntries(try requestViews(m, db, authors), model: m, entry: entry)
                for a in try Row.fetchAll(
                    db,
                    sql: """
                        SELECT a.* FROM version_archived a JOIN versions v ON v.id = a.version WHERE v.model = ?
                        """, arguments: [m])
                {
                    let version: LedgerID = a["version"]
                    try entry(a["event"], .archived, model: m) { e in
                        e.to = numbers[version]?.number
                        e.reason = a["reason"]
                    }
                }
                for c in try Row.fetchAll(
                    db, sql: "SELECT id, text FROM comments WHERE lower(hex(target)) IN (SELECT value FROM json_each(?))",
                    arguments: [jsonHexList(targets)])
                {
                    try entry(c["id"], .commented, model: m) { $0.text = c["text"] }
                }
                try deploymentAudit(m, numbers, db) { try entry($0, $1, model: m, build: $2) }
                for n in renames where n.body.target == m {
                    shown.insert(n.event)
                    try entry(n.event, .renamed, model: m) { e in
                        e.text = "registered model to '\(n.body.name)'"
                        e.reason = n.body.reason
                    }
                }
                for t in tombstones where targets.contains(t.body.target) {
                    shown.insert(t.event)
                    let version = numbers[t.body.target]?.number
                    try entry(t.event, t.body.restore ? .restored : .deleted, model: m) { e in
                        e.to = version
                        e.text = version.map { "version v\($0)" } ?? "registered model"
                        e.reason = t.body.reason
                    }
                }
            }
            if model == nil {
                // Deletes and renames of experiments, runs and logged models (those of the registry are shown above).
                let names = try Self.entityNames(db)
                for n in renames where !shown.contains(n.event) {
                    try entry(n.event, .renamed, model: nil) { e in
                        e.text = "\(names[n.body.target] ?? "entity \(n.body.target.hex.prefix(12))") to '\(n.body.name)'"
                        e.reason = n.body.reason
                    }
                }
                for t in tombstones where !shown.contains(t.event) {
                    try entry(t.event, t.body.restore ? .restored : .deleted, model: nil) { e in
                        e.text = names[t.body.target] ?? "entity \(t.body.target.hex.prefix(12))"
                        e.reason = t.body.reason
                    }
                }
                var devices = [PublicKey: String?]()
                for row in try Row.fetchAll(db, sql: "SELECT device, label FROM devices") {
                    if let key = row["device"] as PublicKey? { devices[key] = row["label"] as String? }
                }
                for r in try Row.fetchAll(
                    db,
                    sql: """
                        SELECT id, kind, bytes, signature, id IN (SELECT event FROM held_events) AS held FROM events
                        WHERE kind IN ('team.member.add', 'team.member.remove', 'team.genesis')
                        """)
                {
                    let kind: String = r["kind"]
                    let body = try? SignedEvent(bytes: r.bytes("bytes"), signature: r.bytes("signature"), verifySignature: false).body()
                    let held: Bool = r["held"]
                    try entry(r["id"], kind == "team.member.remove" ? .memberRemoved : .memberAdded, model: nil) { e in
                        e.authorized = !held
                        // Who was added or removed, in the words of the event itself.
                        switch body {
                        case .memberAdd(let m):
                            e.text =
                                "\(m.name.map { "\($0) " } ?? "")(\(m.member.fingerprint)) as \(m.role.rawValue)"
                                + (m.rotation.map { ", a new key replacing \(authors.view($0.replaces).label)" } ?? "")
                        case .memberRemove(let m):
                            let device = devices[m.member].map { " (device\($0.map { " '\($0)'" } ?? ""), revoked)" } ?? ""
                            e.text = authors.view(m.member).label + device
                            e.reason = m.reason
                        case .teamGenesis(let g): e.text = "\(e.author.label) as admin, founding team \(g.name)"
                        default: break
                        }
                    }
                }
            }
            return entries.sorted { ($0.time, $0.event) < ($1.time, $1.event) }
        }
    }

    /// A request's entry says where it stands; each decision's whether it counted, and which one reached the
    /// quorum or blocked the request.
    private func requestEntries(
        _ requests: [RequestView], model: LedgerID,
        entry: (LedgerID, AuditEntry.Action, LedgerID?, (inout AuditEntry) -> Void) throws -> Void
    ) throws {
        for r in requests {
            guard let id = LedgerID(hex: r.id) else { continue }
            try entry(id, .requested, model) { e in
                e.alias = r.alias
                e.to = r.versionNumber
                e.reason = r.reason
                e.evidence = r.evidence
                e.text = r.summary
            }
            for d in r.decisions {
                guard let did = LedgerID(hex: d.event) else { continue }
                try entry(did, d.verdict == .approve ? .approved : .rejected, model) { e in
                    e.alias = r.alias
                    e.to = r.versionNumber
                    e.reason = d.reason
                    e.authorized = d.counted
                    e.text =
                        d.note.map { "does not count: \($0)" }
                        ?? (r.decidedBy == d.event ? Self.decisive(r) : "counted")
                }
            }
        }
    }

    /// What the decision that decided a request did.
    private static func decisive(_ r: RequestView) -> String {
        switch r.state {
        case .rejected: "blocked the request"
        case .expired: "reached the quorum, but \(r.expiry ?? "the request had expired")"
        default: "reached the quorum: \(r.alias) moved to v\(r.versionNumber.map(String.init) ?? "?")"
        }
    }

    /// The counted events of one kind with their bodies, in no particular order.
    private static func counted<Body>(
        _ kind: EventKind, _ db: Database, _ body: (EventBody) -> Body?
    ) throws -> [(event: LedgerID, body: Body)] {
        try Row.fetchAll(
            db, sql: "SELECT id, bytes, signature FROM events WHERE kind = ? AND id NOT IN (SELECT event FROM held_events)",
            arguments: [kind.rawValue]
        ).compactMap { r in
            guard let decoded = try? SignedEvent(bytes: r.bytes("bytes"), signature: r.bytes("signature"), verifySignature: false).body(),
                let b = body(decoded)
            else { return nil }
            return (r["id"], b)
        }
    }

    /// What a tombstone's or rename's target is called in the audit trail: `experiment NAME`, `run NAME`,
    /// `logged model NAME` (the name it was created with).
    private static func entityNames(_ db: Database) throws -> [LedgerID: String] {
        var names = [LedgerID: String]()
        for (table, what) in [("experiments", "experiment"), ("runs", "run"), ("logged_models", "logged model")] {
            for r in try Row.fetchAll(db, sql: "SELECT id, name FROM \(table)") { names[r["id"]] = "\(what) \(r["name"] as String)" }
        }
        return names
    }

    /// Every fork in the ledger: two or more events one author signed at the same seq.
    public func forks() throws(StoreError) -> [ForkView] {
        try read { db in
            let authors = Authors(names: try names(db))
            return try Row.fetchAll(
                db,
                sql: """
                    SELECT author, seq, group_concat(lower(hex(id)), ',') AS ids FROM events
                    GROUP BY author, seq HAVING count(*) > 1 ORDER BY author, seq
                    """
            ).map { row in
                ForkView(
                    author: authors.view(row), seq: UInt64(row["seq"] as Int64),
                    events: (row["ids"] as String).split(separator: ",").map(String.init).sorted())
            }
        }
    }

    private func jsonHexList(_ ids: [LedgerID]) -> String {
        "[" + ids.map { "\"\($0.hex)\"" }.joined(separator: ",") + "]"
    }
}

extension Ledger {
    /// Stored events that count nowhere, oldest first: team changes that were not allowed, and events
    /// whose author could not sign them at their place (a stranger, a removed member or revoked device,
    /// events past a removal's chain end or a fork's bound). Kept as evidence, never dropped.
    public func heldEvents() throws(StoreError) -> [HeldEventView] {
        try read { db in
            let authors = Authors(names: try names(db))
            return try Row.fetchAll(
                db,
                sql: """
                    SELECT h.event, h.author, h.reason, e.kind, e.clock FROM held_events h JOIN events e ON e.id = h.event ORDER BY e.clock, h.event
                    """
            ).map { row in
                HeldEventView(
                    event: Hex.encode(row.bytes("event")), author: authors.view(row), kind: row["kind"],
                    time: Self.ms(row["clock"]), reason: row["reason"])
            }
        }
    }
}
