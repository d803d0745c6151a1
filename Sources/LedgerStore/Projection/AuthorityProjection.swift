import GRDB
import LedgerModel
import LedgerProtocol

/// The team authority of a ledger (see `TeamAuthority`): folded from the stored team events and forks,
/// and written into the tables that queries read (members, devices, standings, cutoffs, protections,
/// and the team events that changed nothing).
enum AuthorityProjection {
    /// What a ledger's authority was folded from, with the fold.
    struct State: Sendable {
        var events: [TeamEvent]
        var authority: TeamAuthority
        /// Identifies the folded inputs: team events and forks only ever grow.
        var stamp: Stamp
    }

    struct Stamp: Equatable, Sendable {
        var teamEvents: Int
        var forks: Int

        static func read(_ db: Database) throws -> Stamp {
            let row = try Row.fetchOne(db.cachedStatement(sql: "SELECT (SELECT count(*) FROM team_events) AS t, (SELECT count(*) FROM forks) AS f"))
            return Stamp(teamEvents: row?["t"] ?? 0, forks: row?["f"] ?? 0)
        }
    }

    static func load(_ db: Database) throws -> State {
        let events = try Row.fetchAll(
            db,
            sql: """
                SELECT e.bytes, e.signature FROM team_events t JOIN events e ON e.id = t.event ORDER BY t.ord
                """
        ).map { row in try teamEvent(SignedEvent(bytes: row.bytes("bytes"), signature: row.bytes("signature"), verifySignature: false)) }
        let forks = try forks(db)
        return State(events: events, authority: TeamAuthority(events: events, forks: forks), stamp: try Stamp.read(db))
    }

    static func forks(_ db: Database) throws -> [PublicKey: UInt64] {
        var forks = [PublicKey: UInt64]()
        for row in try Row.fetchAll(db, sql: "SELECT author, seq FROM forks") {
            if let author = row["author"] as PublicKey? { forks[author] = UInt64(row["seq"] as Int64) }
        }
        return forks
    }

    static func teamEvent(_ event: SignedEvent) throws -> TeamEvent {
        try teamEvent(event, event.body())
    }

    static func teamEvent(_ event: SignedEvent, _ body: EventBody) -> TeamEvent {
        TeamEvent(id: event.id, order: OrderKey(event), author: event.envelope.author, seq: event.envelope.seq, body: body)
    }

    /// Replaces the authority tables with the fold.
    static func write(_ a: TeamAuthority, _ db: Database) throws {
        for table in ["members", "devices", "standings", "cutoffs", "protection_history", "protected_aliases", "environment_protection_history"] {
            try db.execute(sql: "DELETE FROM \(table)")
        }
        try db.execute(sql: "DELETE FROM held_events WHERE event IN (SELECT event FROM team_events)")
        for (key, m) in a.members {
            try db.execute(
                sql: "INSERT INTO members (member, role, name, active, ord, replaced_by) VALUES (?, ?, ?, ?, ?, ?)",
                arguments: [key, m.role?.rawValue, m.name, m.active, m.order, m.replacedBy])
        }
        for (key, d) in a.devices {
            try db.execute(
                sql: "INSERT INTO devices (device, member, label, ord, revoked) VALUES (?, ?, ?, ?, ?)",
                arguments: [key, d.member, d.label, d.order, d.revoked])
        }
        for (key, timeline) in a.standings {
            for s in timeline {
                try db.execute(sql: "INSERT OR REPLACE INTO standings (key, ord, role) VALUES (?, ?, ?)", arguments: [key, s.from, s.role?.rawValue])
            }
        }
        for (key, cuts) in a.cutoffs {
            for c in cuts {
                try db.execute(
                    sql: "INSERT OR REPLACE INTO cutoffs (key, removal, max_seq) VALUES (?, ?, ?)",
                    arguments: [key, c.removal, Int64(clamping: c.maxSeq)])
            }
        }
        for (alias, history) in a.protections {
            for p in history {
                try db.execute(
                    sql: "INSERT INTO protection_history (alias, ord, role, approvals, not_requester) VALUES (?, ?, ?, ?, ?)",
                    arguments: [alias, p.order, p.role.rawValue, p.approvals, p.notRequester])
            }
            if let latest = history.last {
                try db.execute(
                    sql: "INSERT INTO protected_aliases (alias, role, ord, approvals, not_requester) VALUES (?, ?, ?, ?, ?)",
                    arguments: [alias, latest.role.rawValue, latest.order, latest.approvals, latest.notRequester])
            }
        }
        for (environment, history) in a.environmentProtections {
            for p in history {
                try db.execute(
                    sql: "INSERT INTO environment_protection_history (environment, ord, role) VALUES (?, ?, ?)",
                    arguments: [environment, p.order, p.role.rawValue])
            }
        }
        for (event, why) in a.refused {
            let author = try PublicKey.fetchOne(db, sql: "SELECT author FROM events WHERE id = ?", arguments: [event])
            try TableWrites.held.execute(db, [event, author, why])
        }
    }

    /// Keys whose events may count differently under `new` than under `old`.
    static func changedKeys(from old: TeamAuthority, to new: TeamAuthority) -> Set<PublicKey> {
        var keys = Set<PublicKey>()
        for key in Set(old.standings.keys).union(new.standings.keys) where old.standings[key] != new.standings[key] { keys.insert(key) }
        for key in Set(old.cutoffs.keys).union(new.cutoffs.keys) where old.cutoffs[key] != new.cutoffs[key] { keys.insert(key) }
        for key in Set(old.forks.keys).union(new.forks.keys) where old.forks[key] != new.forks[key] { keys.insert(key) }
        return keys
    }
}

extension AuthorityProjection {
    /// Team events: the authority folds them all together; they are not projected one by one.
    static let kinds = TeamAuthority.kinds
}

extension EventBody {
    var isTeamEvent: Bool { AuthorityProjection.kinds.contains(kind) }
}
