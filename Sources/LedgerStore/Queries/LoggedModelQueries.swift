import Foundation
import GRDB
import LedgerModel
import LedgerProtocol

extension Ledger {
    /// Logged models, newest first: of the given experiments (all when nil), deleted ones only when asked.
    public func loggedModels(experiments: [LedgerID]? = nil, includeDeleted: Bool = false) throws(StoreError) -> [LoggedModelView] {
        try read { db in
            let authors = Authors(names: try names(db))
            let ids = try LedgerID.fetchAll(db, sql: "SELECT id FROM logged_models ORDER BY clock DESC, id")
            return try ids.map { try loggedModelView($0, db, authors) }.filter { m in
                (includeDeleted || !m.deleted) && (experiments.map { $0.map(\.hex).contains(m.experimentID) } ?? true)
            }
        }
    }

    /// The logged model an MLflow id (`m-` and 32 hex digits) or a ledger id names.
    public func loggedModel(_ text: String) throws(StoreError) -> LoggedModelView {
        let hex = (text.hasPrefix("m-") ? String(text.dropFirst(2)) : text).lowercased()
        return try read { db in
            guard hex.count >= 32, hex.allSatisfy(\.isHexDigit),
                let id = try LedgerID.fetchOne(db, sql: "SELECT id FROM logged_models WHERE short = ?", arguments: [String(hex.prefix(32))]),
                hex.count == 32 || id.hex == hex
            else {
                throw StoreError.notFound(what: "logged model", name: text)
            }
            return try loggedModelView(id, db, Authors(names: try names(db)))
        }
    }

    /// The files of a logged model, by path.
    public func loggedModelFiles(_ id: LedgerID) throws(StoreError) -> [ArtifactFile] {
        try read { db in try Self.artifactFiles(.loggedModel, id, db) }
    }

    /// Whether the latest tombstone of an entity deletes it (a restore brings it back).
    public func isDeleted(_ entity: LedgerID) throws(StoreError) -> Bool {
        try read { db in try Self.isDeleted(entity, db) }
    }

    static func isDeleted(_ entity: LedgerID, _ db: Database) throws -> Bool {
        try Bool.fetchOne(db, sql: "SELECT deleted FROM tombstones WHERE entity = ?", arguments: [entity]) ?? false
    }

    func loggedModelView(_ id: LedgerID, _ db: Database, _ authors: Authors) throws -> LoggedModelView {
        guard
            let row = try Row.fetchOne(
                db,
                sql: """
                    SELECT m.*, s.status, s.message, u.clock AS updated FROM logged_models m
                    LEFT JOIN logged_model_status s ON s.model = m.id LEFT JOIN logged_model_updated u ON u.model = m.id
                    WHERE m.id = ?
                    """, arguments: [id])
        else { throw StoreError.notFound(what: "logged model", name: id.short) }
        func pairs(_ sql: String) throws -> [String: String] {
            Dictionary(try Row.fetchAll(db, sql: sql, arguments: [id]).map { ($0[0], $0[1]) }, uniquingKeysWith: { a, _ in a })
        }
        let experiment: LedgerID = row["experiment"]
        let clock: Int64 = row["clock"]
        return LoggedModelView(
            id: id.hex, experimentID: experiment.hex, name: row["name"], run: (row["run"] as LedgerID?)?.hex,
            modelType: row["model_type"], status: row["status"] ?? LoggedModelStatus.pending.rawValue, statusMessage: row["message"],
            author: authors.view(row), createdAt: Self.ms(clock), updatedAt: Self.ms(row["updated"] ?? clock),
            params: try pairs("SELECT key, value FROM logged_model_params WHERE model = ?"),
            tags: try pairs("SELECT key, value FROM logged_model_tags WHERE model = ? AND value IS NOT NULL"),
            files: try Self.artifactFiles(.loggedModel, id, db).map(ArtifactView.init), deleted: try Self.isDeleted(id, db))
    }

    /// The datasets a run read, by name and digest.
    static func datasets(of run: LedgerID, _ db: Database) throws -> [DatasetInput] {
        try Row.fetchAll(db, sql: "SELECT * FROM run_datasets WHERE run = ? ORDER BY name, digest", arguments: [run]).map { r in
            let tags = (try? JSONDecoder().decode([String: String].self, from: Data((r["tags"] as String).utf8))) ?? [:]
            return DatasetInput(
                name: r["name"], digest: r["digest"], sourceType: r["source_type"], source: r["source"],
                schema: r["schema"], profile: r["profile"], tags: tags)
        }
    }
}
