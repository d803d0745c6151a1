import Foundation
import GRDB
import LedgerModel
import LedgerProtocol

/// A relay this workspace syncs with.
public struct Remote: Codable, Sendable, Equatable {
    public var name: String
    public var url: String
    /// The relay's cursor after the last page pulled.
    public var cursor: Int64
}

extension Ledger {
    // MARK: Serving pulls (relay side)

    /// Up to `limit` events stored after `cursor` and at or before `through` (the local arrival order), as
    /// frames, and the cursor of the last one. Bytes come straight from the table: nothing is re-encoded.
    public func frames(
        after cursor: Int64, through: Int64 = .max, limit: Int, maxBytes: Int = 8 << 20
    ) throws(StoreError) -> (frames: [UInt8], count: Int, cursor: Int64) {
        try read { db in
            var out = [UInt8]()
            var count = 0
            var last = cursor
            let rows = try Row.fetchCursor(
                db, sql: "SELECT rowid, bytes, signature FROM events WHERE rowid > ? AND rowid <= ? ORDER BY rowid LIMIT ?",
                arguments: [cursor, through, limit])
            while let row = try rows.next() {
                EventFrames.append(bytes: row["bytes"] as Data, signature: row["signature"] as Data, to: &out)
                last = row["rowid"]
                count += 1
                if out.count >= maxBytes { break }
            }
            return (out, count, last)
        }
    }

    /// Per author, the highest seq stored (chains have no gaps, so everything below is stored too).
    public func frontier() throws(StoreError) -> [PublicKey: UInt64] {
        try read { db in
            var out = [PublicKey: UInt64]()
            for row in try Row.fetchAll(db, sql: "SELECT author, max(seq) AS seq FROM events GROUP BY author") {
                if let key = row["author"] as PublicKey? { out[key] = UInt64(row["seq"] as Int64) }
            }
            return out
        }
    }

    /// Events the other side lacks according to its frontier, in local order, after local row `after`:
    /// at most `limit` events and about `maxBytes` of frames (one event may go over).
    public func events(
        beyond frontier: [PublicKey: UInt64], after: Int64 = 0, limit: Int, maxBytes: Int = 8 << 20
    ) throws(StoreError) -> (events: [SignedEvent], lastRow: Int64) {
        try read { db in
            var out = [SignedEvent]()
            var bytes = 0
            var last = after
            let rows = try Row.fetchCursor(
                db, sql: "SELECT rowid, author, seq, bytes, signature FROM events WHERE rowid > ? ORDER BY rowid",
                arguments: [after])
            while out.count < limit, bytes < maxBytes, let row = try rows.next() {
                last = row["rowid"]
                guard let author = row["author"] as PublicKey?, UInt64(row["seq"] as Int64) > frontier[author] ?? 0 else { continue }
                let event = try SignedEvent(bytes: row.bytes("bytes"), signature: row.bytes("signature"), verifySignature: false)
                bytes += EventFrames.frameSize(of: event)
                out.append(event)
            }
            return (out, last)
        }
    }

    /// SHA-256 of every artifact file the events name (runs and model versions).
    public func referencedBlobs() throws(StoreError) -> [[UInt8]] {
        try read { db in
            try Row.fetchAll(db, sql: "SELECT sha256 FROM run_artifacts WHERE sha256 IS NOT NULL UNION SELECT sha256 FROM version_files").map {
                $0.bytes("sha256")
            }
        }
    }

    // MARK: Remotes (client side)

    public func remotes() throws(StoreError) -> [Remote] {
        try read { db in
            try Row.fetchAll(db, sql: "SELECT name, url, cursor FROM remotes ORDER BY name").map {
                Remote(name: $0["name"], url: $0["url"], cursor: $0["cursor"])
            }
        }
    }

    public func addRemote(name: String, url: String) throws(StoreError) {
        try write { db in
            if try Bool.fetchOne(db, sql: "SELECT 1 FROM remotes WHERE name = ?", arguments: [name]) == true {
                throw StoreError.invalidInput("a remote named '\(name)' exists already")
            }
            try db.execute(sql: "INSERT INTO remotes (name, url) VALUES (?, ?)", arguments: [name, url])
        }
    }

    /// Advances a remote's pull cursor; meant for `ingest(afterwards:)`, so cursor and events commit together.
    public static func setCursor(_ db: Database, remote: String, cursor: Int64) throws {
        try db.execute(sql: "UPDATE remotes SET cursor = max(cursor, ?) WHERE name = ?", arguments: [cursor, remote])
    }
}

extension Ledger {
    // MARK: Replay protection (relay side)

    /// Request nonces an earlier relay version kept here, recorded after `sinceMs`, for its nonce file.
    public func requestNonces(since sinceMs: Int64) throws(StoreError) -> [(nonce: String, time: Int64)] {
        try read { db in
            try Row.fetchAll(db, sql: "SELECT nonce, time FROM request_nonces WHERE time >= ?", arguments: [sinceMs]).map {
                ($0["nonce"], $0["time"])
            }
        }
    }

    /// The id of the relay that keeps this database: 32 random bytes made the first time it is asked
    /// for, then kept in `meta`, so a restart keeps it (and relays sharing one database share it, as they
    /// share nonces). Signed requests name it, so a request for one relay is refused by every other.
    public func relayID() throws(StoreError) -> [UInt8] {
        try write { db in
            try db.execute(sql: "INSERT OR IGNORE INTO meta (key, value) VALUES ('relay_id', ?)", arguments: [Data(secureRandomBytes(32))])
            guard let id = try Data.fetchOne(db, sql: "SELECT value FROM meta WHERE key = 'relay_id'"), id.count == 32 else {
                throw StoreError.database("the relay id in meta is not 32 bytes")
            }
            return Array(id)
        }
    }

    /// The role of the member a key acts for, now; nil if the key is not an active member's.
    public func currentRole(of key: PublicKey) throws(StoreError) -> Role? {
        try read { db in try Authorization.currentRole(of: key, db) }
    }
}

extension Ledger {
    public func members() throws(StoreError) -> [MemberView] {
        try read { db in
            let authors = Authors(names: try names(db))
            return try Row.fetchAll(db, sql: "SELECT member, role, active, replaced_by FROM members ORDER BY active DESC, role").map {
                MemberView(
                    author: authors.view($0, "member"), role: $0["role"], active: $0["active"] as Int == 1,
                    replacedBy: ($0["replaced_by"] as PublicKey?).map(authors.view))
            }
        }
    }
}

extension Ledger {
    /// Whether a key has published a display name.
    public func hasProfile(_ key: PublicKey) throws(StoreError) -> Bool {
        try read { db in try Bool.fetchOne(db, sql: "SELECT 1 FROM profiles WHERE key = ?", arguments: [key]) ?? false }
    }
}

extension Ledger {
    /// The last seq and id of an author's chain (0 and zero before their first event).
    public func chainHead(of author: PublicKey) throws(StoreError) -> (seq: UInt64, id: LedgerID) {
        try read { db in try Self.chainHead(db, author: author) }
    }
}

extension Ledger {
    /// Every event at a forked (author, seq): a frontier cannot show which side the other end lacks.
    public func forkedEvents() throws(StoreError) -> [SignedEvent] {
        try read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT bytes, signature FROM events WHERE (author, seq) IN
                    (SELECT author, seq FROM events GROUP BY author, seq HAVING count(*) > 1) ORDER BY rowid
                    """
            ).map { try SignedEvent(bytes: $0.bytes("bytes"), signature: $0.bytes("signature"), verifySignature: false) }
        }
    }
}

extension Ledger {
    /// What a removal of `key` keeps of each chain it cuts: the key's own, and for a member every device
    /// it linked, each up to the last event this ledger holds.
    public func chainEnds(removing key: PublicKey) throws(StoreError) -> [ChainEnd] {
        try read { db in
            let devices = try PublicKey.fetchAll(
                db, sql: "SELECT device FROM devices WHERE member = ? AND revoked = 0 ORDER BY device", arguments: [key])
            let keys = [key] + devices
            guard keys.count <= ChainEnd.maxCount else {
                throw StoreError.invalidInput(
                    "\(key.fingerprint) has \(devices.count) devices; remove some of them first (`mledger team remove DEVICE_KEY`)")
            }
            return try keys.map { ChainEnd(author: $0, seq: try Self.chainHead(db, author: $0).0) }
        }
    }

    /// Whether `key` is a device linked to a member (rather than a member's own key).
    public func isLinkedDevice(_ key: PublicKey) throws(StoreError) -> Bool {
        try read { db in try Bool.fetchOne(db, sql: "SELECT 1 FROM devices WHERE device = ?", arguments: [key]) ?? false }
    }
}

extension Ledger {
    /// The member a key acts for now: the member that linked it, or the key itself.
    public func member(of key: PublicKey) throws(StoreError) -> PublicKey {
        try read { db in try PublicKey.fetchOne(db, sql: "SELECT member FROM devices WHERE device = ?", arguments: [key]) ?? key }
    }

    /// A member's keys: their own, then every device they linked, with link time, last event and revocation.
    public func keys(of member: PublicKey) throws(StoreError) -> [KeyView] {
        try read { db in
            let authors = Authors(names: try names(db))
            func activity(_ key: PublicKey) throws -> (last: Int64?, count: Int) {
                let row = try Row.fetchOne(db, sql: "SELECT max(clock) AS last, count(*) AS n FROM events WHERE author = ?", arguments: [key])
                return ((row?["last"] as Int64?).map(Self.ms), row?["n"] ?? 0)
            }
            let own = try activity(member)
            let active = try Bool.fetchOne(db, sql: "SELECT active FROM members WHERE member = ?", arguments: [member]) ?? false
            var keys = [
                KeyView(
                    key: authors.view(member), label: nil, memberKey: true, linkedAt: nil, lastEventAt: own.last,
                    events: own.count, revoked: !active)
            ]
            for row in try Row.fetchAll(db, sql: "SELECT device, label, ord, revoked FROM devices WHERE member = ? ORDER BY ord", arguments: [member])
            {
                guard let device = row["device"] as PublicKey?, let ord = row["ord"] as OrderKey? else { continue }
                let a = try activity(device)
                keys.append(
                    KeyView(
                        key: authors.view(device), label: row["label"], memberKey: false,
                        linkedAt: Int64(HybridClock.milliseconds(ord.clock)), lastEventAt: a.last, events: a.count, revoked: row["revoked"]))
            }
            return keys
        }
    }
}
