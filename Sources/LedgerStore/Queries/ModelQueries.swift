import Foundation
import GRDB
import LedgerModel
import LedgerProtocol

extension Ledger {
    public func models() throws(StoreError) -> [ModelView] {
        try read { db in
            let authors = Authors(names: try names(db))
            return try LedgerID.fetchAll(db, sql: "SELECT id FROM models m ORDER BY \(CurrentName.of("m"))").map { try modelView($0, db, authors) }
        }
    }

    public func model(named name: String) throws(StoreError) -> ModelView {
        try model(try modelID(named: name))
    }

    public func model(_ id: LedgerID) throws(StoreError) -> ModelView {
        try read { db in try modelView(id, db, Authors(names: try names(db))) }
    }

    /// The current state of every alias register of a model, with conflicts.
    public func aliases(model: LedgerID) throws(StoreError) -> [String: RegisterState<LedgerID?>] {
        try read { db in try aliasStates(model, db) }
    }

    /// The heads a new write to this alias must name: every live write the author can see.
    public func aliasHeads(model: LedgerID, alias: String) throws(StoreError) -> [LedgerID] {
        try aliases(model: model)[alias.nfc]?.heads.map(\.event) ?? []
    }

    /// The heads of an entity's description register (the same rule `description(of:)` resolves).
    public func descriptionHeads(entity: LedgerID) throws(StoreError) -> [LedgerID] {
        try read { db in try descriptionRegister(of: entity, db).heads.map(\.event) }
    }

    /// Finds a version of a model by display number ("3" or "v3") or a hex prefix of its id.
    public func versionID(model: LedgerID, _ text: String) throws(StoreError) -> LedgerID {
        try read { db in
            let numbers = try versionNumbers(model, db)
            let digits = text.hasPrefix("v") ? String(text.dropFirst()) : text
            if let n = UInt64(digits), n > 0, n < 100_000, let hit = numbers.first(where: { $0.value.number == n }) {
                return hit.key
            }
            let id = try resolve("versions", what: "version", text, in: db)
            guard numbers[id] != nil else { throw StoreError.notFound(what: "version of this model", name: text) }
            return id
        }
    }

    func versionNumbers(_ model: LedgerID, _ db: Database) throws -> [LedgerID: VersionNumbering.Assigned] {
        let entries = try Row.fetchAll(db, sql: "SELECT id, ord, claimed_number FROM versions WHERE model = ?", arguments: [model])
            .compactMap { row -> VersionNumbering.Entry? in
                guard let ord = row["ord"] as OrderKey? else { return nil }
                return .init(id: row["id"], order: ord, claimedNumber: UInt64(row["claimed_number"] as Int64))
            }
        return VersionNumbering.assign(entries)
    }

    /// Alias registers from the writes that were allowed when made (see `Authorization.wasAllowed`) and the
    /// requests whose quorum moved them (SPEC 6.15).
    func aliasStates(_ model: LedgerID, _ db: Database) throws -> [String: RegisterState<LedgerID?>] {
        try aliasRegisters(model, db).mapValues(\.state)
    }

    func modelView(_ id: LedgerID, _ db: Database, _ authors: Authors) throws -> ModelView {
        guard
            let row = try Row.fetchOne(
                db, sql: "SELECT m.id, \(CurrentName.of("m")) AS name, m.author, m.clock FROM models m WHERE id = ?", arguments: [id])
        else {
            throw StoreError.notFound(what: "model", name: id.short)
        }
        let numbers = try versionNumbers(id, db)
        let states = try aliasStates(id, db)
        var aliasViews = [AliasView]()
        var aliasesOf = [LedgerID: [String]]()
        for (alias, state) in states.sorted(by: { $0.key < $1.key }) {
            guard let winner = state.winner, let w = try aliasRow(winner.event, db) else { continue }
            if let v = winner.value { aliasesOf[v, default: []].append(alias) }
            // A removed alias with no conflict is simply gone.
            if winner.value == nil && !state.isConflict { continue }
            let candidates =
                try state.isConflict
                ? state.heads.compactMap { head -> AliasCandidate? in
                    guard let r = try aliasRow(head.event, db) else { return nil }
                    return AliasCandidate(
                        event: head.event.hex, version: head.value.map(\.hex),
                        versionNumber: head.value.flatMap { numbers[$0]?.number },
                        author: authors.view(r), reason: r["reason"])
                } : []
            aliasViews.append(
                AliasView(
                    alias: alias, version: winner.value?.hex, versionNumber: winner.value.flatMap { numbers[$0]?.number },
                    setBy: authors.view(w), at: Self.ms(Int64(bitPattern: winner.clock)), reason: w["reason"], event: winner.event.hex,
                    conflict: candidates, request: (w["request"] as LedgerID?)?.hex))
        }
        let versions = try Row.fetchAll(
            db,
            sql: """
                SELECT v.*, a.version IS NOT NULL AS archived FROM versions v
                LEFT JOIN version_archived a ON a.version = v.id WHERE v.model = ?
                """, arguments: [id]
        ).map { v -> VersionView in
            let vid: LedgerID = v["id"]
            let files = try Self.artifactFiles(.version, vid, db).map(ArtifactView.init)
            let assigned = numbers[vid] ?? .init(number: 0, renumbered: false)
            var view = VersionView(
                id: vid.hex, number: assigned.number, claimedNumber: UInt64(v["claimed_number"] as Int64),
                renumbered: assigned.renumbered, run: (v["run"] as LedgerID?)?.hex, author: authors.view(v),
                createdAt: Self.ms(v["clock"]), description: try description(of: vid, db) ?? v["description"], archived: v["archived"],
                aliases: (aliasesOf[vid] ?? []).sorted(), files: files, loggedModel: (v["logged_model"] as LedgerID?)?.hex)
            view.imported = try Self.importView(vid, db)
            return view
        }.sorted { $0.number < $1.number }
        return ModelView(
            id: id.hex, name: row["name"], description: try description(of: id, db), createdBy: authors.view(row),
            createdAt: Self.ms(row["clock"]), versions: versions, aliases: aliasViews)
    }

    /// The write's author and reason: a promotion's or demotion's, or an approved request's (its requester's).
    func aliasRow(_ event: LedgerID, _ db: Database) throws -> Row? {
        try Row.fetchOne(db, sql: "SELECT *, NULL AS request FROM alias_events WHERE event = ?", arguments: [event])
            ?? Row.fetchOne(
                db, sql: "SELECT id AS event, id AS request, model, alias, version, author, reason FROM promotion_requests WHERE id = ?",
                arguments: [event])
    }

    /// The artifact files of a model version, to materialize it.
    public func versionFiles(_ version: LedgerID) throws(StoreError) -> [ArtifactFile] {
        try read { db in try Self.artifactFiles(.version, version, db) }
    }

    /// The artifact files a run recorded.
    public func runFiles(_ run: LedgerID) throws(StoreError) -> [ArtifactFile] {
        try read { db in try Self.artifactFiles(.run, run, db) }
    }

    enum FileOwner {
        case run, version, loggedModel
        var sql: String {
            switch self {
            case .loggedModel: "SELECT path, sha256, size FROM logged_model_files WHERE model = ? AND sha256 IS NOT NULL ORDER BY path"
            case .run: "SELECT path, sha256, size FROM run_artifacts WHERE run = ? AND sha256 IS NOT NULL ORDER BY path"
            case .version: "SELECT path, sha256, size FROM version_files WHERE version = ? ORDER BY path"
            }
        }
    }

    /// Artifact files of a run or a version, by path.
    static func artifactFiles(_ owner: FileOwner, _ id: LedgerID, _ db: Database) throws -> [ArtifactFile] {
        try Row.fetchAll(db, sql: owner.sql, arguments: [id]).map {
            ArtifactFile(path: $0["path"], sha256: $0.bytes("sha256"), size: UInt64($0["size"] as Int64))
        }
    }

    public func versionCount(model: LedgerID) throws(StoreError) -> Int {
        try read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM versions WHERE model = ?", arguments: [model]) ?? 0 }
    }
}
