import GRDB
import LedgerModel
import LedgerProtocol

extension Ledger {
    /// Finds an entity by an id or a unique hex prefix of it (at least 4 digits), as git does for commits.
    func resolve(_ table: String, what: String, _ text: String, in db: Database) throws -> LedgerID {
        let prefix = text.lowercased()
        guard prefix.count >= 4, Hex.decode(prefix.count % 2 == 0 ? prefix : prefix + "0") != nil else {
            throw StoreError.notFound(what: what, name: text)
        }
        let ids = try LedgerID.fetchAll(
            db, sql: "SELECT id FROM \(table) WHERE lower(hex(id)) LIKE ? || '%' LIMIT 5", arguments: [prefix])
        if ids.count > 1 { throw StoreError.ambiguous(what: what, name: text, candidates: ids.map(\.short)) }
        guard let id = ids.first else { throw StoreError.notFound(what: what, name: text) }
        return id
    }

    public func runID(_ text: String) throws(StoreError) -> LedgerID {
        try read { db in try resolve("runs", what: "run", text, in: db) }
    }

    public func experimentID(named name: String) throws(StoreError) -> LedgerID {
        try read { db in
            guard
                let id = try LedgerID.fetchOne(
                    db, sql: "SELECT id FROM experiments e WHERE \(CurrentName.of("e")) = ? ORDER BY id LIMIT 1", arguments: [name.nfc])
            else {
                throw StoreError.notFound(what: "experiment", name: name)
            }
            return id
        }
    }

    public func modelID(named name: String) throws(StoreError) -> LedgerID {
        try read { db in
            guard
                let id = try LedgerID.fetchOne(
                    db, sql: "SELECT id FROM models m WHERE \(CurrentName.of("m")) = ? ORDER BY id LIMIT 1", arguments: [name.nfc])
            else {
                throw StoreError.notFound(what: "model", name: name)
            }
            return id
        }
    }

    /// Display names of every key that published a profile.
    /// Display names: the profile a key published; a key that replaced another (a rotation) is known by
    /// the old key's name until it publishes its own.
    func names(_ db: Database) throws -> [PublicKey: String] {
        var out = [PublicKey: String]()
        for row in try Row.fetchAll(db, sql: "SELECT key, name FROM profiles") {
            if let key = row["key"] as PublicKey? { out[key] = row["name"] }
        }
        for row in try Row.fetchAll(
            db,
            sql: """
                SELECT m.replaced_by AS key, coalesce(p.name, m.name) AS name FROM members m
                LEFT JOIN profiles p ON p.key = m.member WHERE m.replaced_by IS NOT NULL
                """)
        {
            if let key = row["key"] as PublicKey?, out[key] == nil, let name = row["name"] as String? { out[key] = name }
        }
        return out
    }
}

/// Display names for authors, loaded once per query.
struct Authors {
    let names: [PublicKey: String]
    func view(_ key: PublicKey?) -> AuthorView {
        guard let key else { return AuthorView(key: PublicKey(bytes: [UInt8](repeating: 0, count: 32))!, name: nil) }
        return AuthorView(key: key, name: names[key])
    }
    func view(_ row: Row, _ column: String = "author") -> AuthorView { view(row[column] as PublicKey?) }
}

extension Ledger {
    /// Anything a comment can be attached to: MODEL@VERSION, a model or experiment name, or a prefix of
    /// a run, version or event id (a promotion, another comment).
    public func commentTarget(_ text: String) throws(StoreError) -> LedgerID {
        let parts = text.split(separator: "@", maxSplits: 1).map(String.init)
        if parts.count == 2 { return try versionID(model: try modelID(named: parts[0]), parts[1]) }
        if let id = try? modelID(named: text) { return id }
        if let id = try? experimentID(named: text) { return id }
        return try read { db in
            for table in ["runs", "versions", "events"] {
                if let id = try? resolve(table, what: "entity", text, in: db) { return id }
            }
            throw StoreError.notFound(what: "run, model, experiment or event", name: text)
        }
    }
}

extension Ledger {
    /// A key with the display name its member published, if any.
    public func author(_ key: PublicKey) throws(StoreError) -> AuthorView {
        try read { db in Authors(names: try names(db)).view(key) }
    }
}

/// The name views show for an experiment or registered model: its latest rename, else the name it was
/// created with (which its id derives from). Two entities may share a name after concurrent renames;
/// a lookup by name then takes the lowest id, the same on every client.
enum CurrentName {
    /// SQL for the current name of the row of `experiments` or `models` aliased `table`.
    static func of(_ table: String) -> String {
        "coalesce((SELECT name FROM entity_names WHERE entity = \(table).id), \(table).name)"
    }
}
