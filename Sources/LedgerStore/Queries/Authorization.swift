import GRDB
import LedgerModel
import LedgerProtocol

/// Roles as the ledger's folded team authority records them (see `AuthorityProjection`): now (what the
/// relay's request checks and dashboard sessions ask) and at any point of the merge order (alias writes).
enum Authorization {
    /// The role a key acts with now (its own as a member, or its member's as a device); nil if none.
    static func currentRole(of key: PublicKey, _ db: Database) throws -> Role? {
        try role(sql: "SELECT role FROM standings WHERE key = ? ORDER BY ord DESC LIMIT 1", [key], db)
    }

    /// The role a key acted with just before `ord` in the merge order.
    static func role(of key: PublicKey, before ord: OrderKey, _ db: Database) throws -> Role? {
        try role(sql: "SELECT role FROM standings WHERE key = ? AND ord < ? ORDER BY ord DESC LIMIT 1", [key, ord], db)
    }

    private static func role(sql: String, _ arguments: StatementArguments, _ db: Database) throws -> Role? {
        try String.fetchOne(db.cachedStatement(sql: sql), arguments: arguments).flatMap(Role.init(rawValue:))
    }

    static func protection(of alias: String, before ord: OrderKey, _ db: Database) throws -> Role? {
        try String.fetchOne(
            db.cachedStatement(
                sql: """
                    SELECT role FROM protection_history WHERE alias = ? AND ord < ? ORDER BY ord DESC LIMIT 1
                    """), arguments: [alias, ord]
        ).flatMap(Role.init(rawValue:))
    }

    static func environmentProtection(of environment: String, before ord: OrderKey, _ db: Database) throws -> Role? {
        try String.fetchOne(
            db.cachedStatement(
                sql: """
                    SELECT role FROM environment_protection_history WHERE environment = ? AND ord < ? ORDER BY ord DESC LIMIT 1
                    """), arguments: [environment, ord]
        ).flatMap(Role.init(rawValue:))
    }

    /// Distinct approvals a promotion of `alias` needed just before `ord` (0: it moved directly).
    static func approvals(of alias: String, before ord: OrderKey, _ db: Database) throws -> Int {
        try Int.fetchOne(
            db.cachedStatement(sql: "SELECT approvals FROM protection_history WHERE alias = ? AND ord < ? ORDER BY ord DESC LIMIT 1"),
            arguments: [alias, ord]) ?? 0
    }

    /// Whether an alias write was allowed at its own point of the merge order (every client's rule): a
    /// direct promotion of an alias that needed approvals never was (SPEC 6.15); a demotion needs the role.
    static func wasAllowed(alias: String, author: PublicKey, ord: OrderKey, promotes: Bool, _ db: Database) throws -> Bool {
        if promotes, try approvals(of: alias, before: ord, db) > 0 { return false }
        return try had(max(.writer, try protection(of: alias, before: ord, db) ?? .writer), author: author, ord: ord, db)
    }

    /// Whether a deployment was allowed at its own point of the merge order, as alias writes are (SPEC 6.16).
    static func wasAllowed(environment: String, author: PublicKey, ord: OrderKey, _ db: Database) throws -> Bool {
        try had(max(.writer, try environmentProtection(of: environment, before: ord, db) ?? .writer), author: author, ord: ord, db)
    }

    /// Whether the author acted with at least `required` just before `ord`.
    static func had(_ required: Role, author: PublicKey, ord: OrderKey, _ db: Database) throws -> Bool {
        guard let role = try role(of: author, before: ord, db) else { return false }
        return role >= required
    }
}
