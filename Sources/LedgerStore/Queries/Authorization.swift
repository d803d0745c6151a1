import GRDB
import LedgerModel
import LedgerProtocol

/// Roles as the ledger records them: now (what the relay checks on arrival) and at any point of the
/// merge order (what every client checks when it computes aliases).
enum Authorization {
    /// The member a key acts for: the member that linked it as a device, or the key itself.
    static func member(of key: PublicKey, _ db: Database) throws -> PublicKey {
        try PublicKey.fetchOne(db.cachedStatement(sql: "SELECT member FROM devices WHERE device = ?"), arguments: [key]) ?? key
    }

    /// The member's role now; nil if they are not, or no longer, a member.
    static func currentRole(of member: PublicKey, _ db: Database) throws -> Role? {
        let row = try Row.fetchOne(db.cachedStatement(sql: "SELECT role, active FROM members WHERE member = ?"), arguments: [member])
        guard let row, row["active"] as Int == 1 else { return nil }
        return (row["role"] as String?).flatMap(Role.init(rawValue:))
    }

    /// The member's role just before `ord` in the merge order.
    static func role(of member: PublicKey, before ord: OrderKey, _ db: Database) throws -> Role? {
        let row = try Row.fetchOne(db.cachedStatement(sql: """
            SELECT role, active FROM member_history WHERE member = ? AND ord < ? ORDER BY ord DESC LIMIT 1
            """), arguments: [member, ord])
        guard let row, row["active"] as Int == 1 else { return nil }
        return (row["role"] as String?).flatMap(Role.init(rawValue:))
    }

    static func currentProtection(of alias: String, _ db: Database) throws -> Role? {
        try String.fetchOne(db.cachedStatement(sql: "SELECT role FROM protected_aliases WHERE alias = ?"), arguments: [alias])
            .flatMap(Role.init(rawValue:))
    }

    static func protection(of alias: String, before ord: OrderKey, _ db: Database) throws -> Role? {
        try String.fetchOne(db.cachedStatement(sql: """
            SELECT role FROM protection_history WHERE alias = ? AND ord < ? ORDER BY ord DESC LIMIT 1
            """), arguments: [alias, ord]).flatMap(Role.init(rawValue:))
    }

    /// Lookups remembered within one batch; dropped whenever an event changes roles.
    struct Cache {
        var members: [PublicKey: PublicKey] = [:]
        var roles: [PublicKey: Role?] = [:]
        var protections: [String: Role?] = [:]
    }

    /// Checks an arriving event against the team as it stands (the relay's rule).
    static func checkNow(_ event: SignedEvent, _ body: EventBody, _ db: Database, cache: inout Cache) throws -> EventError? {
        try checkNow(author: event.envelope.author, body, db, cache: &cache)
    }

    static func checkNow(author: PublicKey, _ body: EventBody, _ db: Database, cache: inout Cache) throws -> EventError? {
        var protections = cache.protections
        let required = try Permissions.requiredRole(for: body) { alias in
            if let known = protections[alias] { return known }
            let role = try currentProtection(of: alias, db)
            protections[alias] = role
            return role
        }
        cache.protections = protections
        guard let required else { return nil }
        let member = try cache.members[author] ?? member(of: author, db)
        cache.members[author] = member
        if case .deviceLink(let link) = body {
            if member != author { return .forbidden("a device is linked by its member's own key, not by another device") }
            if try Bool.fetchOne(db, sql: "SELECT 1 FROM members WHERE member = ?", arguments: [link.device]) == true
                || Bool.fetchOne(db, sql: "SELECT 1 FROM devices WHERE device = ?", arguments: [link.device]) == true {
                return .forbidden("\(link.device.fingerprint) is already a member's key or a linked device")
            }
        }
        let role = try cache.roles[member] ?? currentRole(of: member, db)
        cache.roles[member] = role
        guard let role else {
            return .forbidden("\(author.fingerprint) is not a member of this team (or was removed)")
        }
        guard role >= required else {
            return .forbidden("\(author.fingerprint) is a \(role.rawValue); \(body.kind.rawValue) needs \(required.rawValue)")
        }
        return nil
    }

    /// Whether an alias write was allowed at its own point of the merge order (every client's rule).
    static func wasAllowed(alias: String, author: PublicKey, ord: OrderKey, _ db: Database) throws -> Bool {
        let required = max(.writer, try protection(of: alias, before: ord, db) ?? .writer)
        guard let role = try role(of: try member(of: author, db), before: ord, db) else { return false }
        return role >= required
    }
}
