import Foundation
import GRDB
import LedgerModel
import LedgerProtocol

/// What earlier imports from one source made of its objects: the ledger entity of each (kind, object,
/// ids), read from the `imports` view. Derived from the signed events themselves, so it is exactly as
/// durable as they are: an import killed at any point finds here what it had committed.
public struct ImportMap: Sendable {
    public let source: String
    private var entities: [String: LedgerID]

    init(source: String, entities: [String: LedgerID]) {
        self.source = source
        self.entities = entities
    }

    static func key(_ kind: EventKind, _ object: String, _ idsText: String) -> String { "\(kind.rawValue)\n\(object)\n\(idsText)" }

    /// The entity the first imported event of `kind` for this object is about.
    public func entity(_ kind: EventKind, object: String, ids: [String: String]) -> LedgerID? {
        entities[Self.key(kind, object, ImportProjection.idsText(ids))]
    }

    /// Notes an event just appended, so later lookups in the same import see it.
    public mutating func note(_ kind: EventKind, object: String, ids: [String: String], entity: LedgerID) {
        let k = Self.key(kind, object, ImportProjection.idsText(ids))
        if entities[k] == nil { entities[k] = entity }
    }

    public var count: Int { entities.count }
}

extension Ledger {
    /// Every entity imported from `source` so far, by the kind of event, object and ids that made it.
    public func importMap(source: String) throws(StoreError) -> ImportMap {
        try read { db in
            var entities = [String: LedgerID]()
            // Lowest event id first, so two members' imports of one object map to the same entity everywhere.
            let rows = try Row.fetchCursor(
                db, sql: "SELECT kind, object, ids, entity FROM imports WHERE source = ? AND entity IS NOT NULL ORDER BY event",
                arguments: [source])
            while let row = try rows.next() {
                guard let kind = EventKind(rawValue: row["kind"]), let entity = row["entity"] as LedgerID? else { continue }
                let k = ImportMap.key(kind, row["object"], row["ids"])
                if entities[k] == nil { entities[k] = entity }
            }
            return ImportMap(source: source, entities: entities)
        }
    }

    /// The provenance of an event, if it was imported.
    public func importRecord(_ event: LedgerID) throws(StoreError) -> ImportView? {
        try read { db in try Self.importView(event, db) }
    }

    static func importView(_ event: LedgerID, _ db: Database) throws -> ImportView? {
        guard let row = try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM imports WHERE event = ?"), arguments: [event]) else { return nil }
        func map(_ column: String) -> [String: String] {
            (try? JSONDecoder().decode([String: String].self, from: Data((row[column] as String).utf8))) ?? [:]
        }
        return ImportView(
            system: row["system"], source: row["source"], object: row["object"], ids: map("ids"), user: row["user"], time: row["time"],
            updated: row["updated"], data: map("data"), stateAtImport: row["state_at_import"])
    }
}

extension Ledger {
    /// The logged models a run read (`run.inputs` models).
    public func runModelInputs(_ run: LedgerID) throws(StoreError) -> Set<LedgerID> {
        try read { db in Set(try LedgerID.fetchAll(db, sql: "SELECT model FROM run_model_inputs WHERE run = ?", arguments: [run])) }
    }
}

/// A projected table of tags that an import mirrors from its source.
public enum ImportedTags: Sendable {
    case run, experiment

    var table: (name: String, entity: String) {
        switch self {
        case .run: ("run_tags", "run")
        case .experiment: ("experiment_tags", "experiment")
        }
    }
}

extension Ledger {
    /// The tag keys of a run or experiment whose current value was written by an event imported from
    /// `source`: a later import removes those the source no longer has, while a value a ledger user set
    /// since is theirs and stays. A row's merge key ends with the id of the event that wrote it.
    public func importedTagKeys(_ tags: ImportedTags, of entity: LedgerID, source: String) throws(StoreError) -> Set<String> {
        let (table, column) = tags.table
        return try read { db in
            Set(
                try String.fetchAll(
                    db,
                    sql: """
                        SELECT t.key FROM \(table) t JOIN imports i ON i.event = substr(t.ord, \(OrderKey.idOffset + 1))
                        WHERE t.\(column) = ? AND t.value IS NOT NULL AND i.source = ?
                        """,
                    arguments: [entity, source]))
        }
    }

    /// The comments on a target, oldest first, each with whether it was imported from `source`: registry
    /// tags are kept as comments, and an import removes only the tags it set itself.
    public func comments(on target: LedgerID, importedFrom source: String) throws(StoreError) -> [(text: String, imported: Bool)] {
        try read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT c.text, i.source IS ? AS imported FROM comments c LEFT JOIN imports i ON i.event = c.id
                    WHERE c.target = ? ORDER BY c.clock, c.id
                    """,
                arguments: [source, target]
            ).map { (text: $0["text"], imported: $0["imported"]) }
        }
    }
}
