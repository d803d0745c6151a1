import Foundation
import GRDB
import LedgerModel
import LedgerProtocol
import Synchronization

/// One ledger database: the signed events and the team views derived from them.
///
/// Local writes (`append`) sign new events of this device; received events (`ingest`) are verified
/// against the same rules the relay applies. Either way the events and their projections are written
/// in one transaction, so a crash leaves both or neither.
public final class Ledger: Sendable {
    let queue: any DatabaseWriter
    public let path: String
    /// The folded team authority, kept between transactions; checked against the tables before each use.
    private let authorityCache = Mutex<AuthorityProjection.State?>(nil)

    /// - Parameters:
    ///   - cacheMiB: SQLite page cache; a relay that must stay small passes less.
    ///   - concurrentReads: reads never wait for a write in progress (they see the last commit), at the
    ///     cost of a connection per concurrent reader: for a server answering requests while it writes.
    ///   - waitsForDisk: each commit survives a power loss (synchronous = FULL). Only a copy of a history
    ///     kept durably elsewhere, which copies again what a power cut takes back, passes false.
    public init(path: String, cacheMiB: Int = 64, concurrentReads: Bool = false, waitsForDisk: Bool = true) throws(StoreError) {
        self.path = path
        self.queue = try LedgerDatabase.open(path: path, cacheMiB: cacheMiB, concurrentReads: concurrentReads, waitsForDisk: waitsForDisk)
    }

    /// Runs `body` in an IMMEDIATE transaction: the write lock is taken up front, so two processes
    /// appending to one workspace queue up instead of failing half-way.
    func write<T>(_ body: (Database) throws -> T) throws(StoreError) -> T {
        do {
            return try queue.writeWithoutTransaction { db in
                var result: T?
                try db.inTransaction(.immediate) {
                    result = try body(db)
                    return .commit
                }
                // inTransaction returns only after body produced a result.
                return result!
            }
        } catch {
            throw StoreError.wrap(error)
        }
    }

    /// A session over `db` with the team authority, from the cache when the tables still match it.
    func session(_ db: Database, nowMs: UInt64, enforceRoles: Bool) throws -> IngestSession {
        IngestSession(db: db, team: try Meta.team(db), nowMs: nowMs, enforceRoles: enforceRoles, state: try authorityState(db))
    }

    /// The folded team authority of `db` as committed, from the cache when the tables still match it.
    func authorityState(_ db: Database) throws -> AuthorityProjection.State {
        if let cached = authorityCache.withLock({ $0 }), try cached.stamp == AuthorityProjection.Stamp.read(db) { return cached }
        // Loaded from the committed tables (this transaction has changed none yet): valid to keep.
        let state = try AuthorityProjection.load(db)
        remember(state)
        return state
    }

    /// Remembers the authority a committed session ended with.
    func remember(_ state: AuthorityProjection.State?) {
        guard let state else { return }
        authorityCache.withLock { $0 = state }
    }

    func read<T>(_ body: (Database) throws -> T) throws(StoreError) -> T {
        do { return try queue.read(body) } catch { throw StoreError.wrap(error) }
    }

    // MARK: - Team

    /// The team this ledger belongs to: the id of its genesis event.
    public func team() throws(StoreError) -> LedgerID? {
        try read { db in try Meta.team(db) }
    }

    // MARK: - Local writes

    /// A checked body to sign, with the heads of the shared thing it changes (if any). Drafts are
    /// validated by the rules every receiver applies, so nothing invalid is ever signed into the log.
    public struct Draft: Sendable {
        public let body: EventBody
        /// The deterministic CBOR that will be signed.
        let bytes: [UInt8]
        public let heads: [LedgerID]

        public init(_ fields: some BodyFields, heads: [LedgerID] = []) throws(StoreError) {
            guard heads.count <= Envelope.maxHeads else {
                throw .invalidInput("a change can name at most \(Envelope.maxHeads) earlier changes; resolve the conflict in steps")
            }
            bytes = fields.encoded()
            do { body = try EventBody.decode(kind: type(of: fields).kind, bytes: bytes) } catch { throw .rejected(error) }
            self.heads = heads
        }
    }

    /// Signs and stores drafts as the next events of `key`'s chain, in one transaction.
    @discardableResult
    public func append(_ drafts: [Draft], signer key: SigningKey, nowMs: UInt64 = wallClockMs()) throws(StoreError) -> [SignedEvent] {
        let (signed, state) = try write { db in
            var team = try Meta.team(db)
            let (seq, prev) = try Self.chainHead(db, author: key.publicKey)
            var writer = ChainWriter(key: key, seq: seq, prev: prev, clock: try Meta.clock(db))
            var unsigned = [UnsignedEvent]()
            unsigned.reserveCapacity(drafts.count)
            for draft in drafts {
                let isGenesis = draft.body.kind == .teamGenesis
                guard isGenesis || team != nil else { throw StoreError.noTeam }
                if isGenesis, team != nil { throw StoreError.invalidInput("this ledger already has a team") }
                let event = writer.nextUnsigned(kind: draft.body.kind, body: draft.bytes, team: team ?? .zero, heads: draft.heads, nowMs: nowMs)
                guard event.bytes.count <= Envelope.maxSize else {
                    throw StoreError.rejected(.oversized(size: event.bytes.count, limit: Envelope.maxSize))
                }
                if isGenesis {
                    team = event.id
                    try Meta.setTeam(db, event.id)
                }
                unsigned.append(event)
            }
            var session = try session(db, nowMs: nowMs, enforceRoles: true)
            session.team = team
            var next = drafts.startIndex
            let signed = try Self.sign(unsigned, with: key) { chunk in
                for event in chunk {
                    let draft = drafts[next]
                    next += 1
                    // Store nothing the relay would refuse: a refused event would block this device's chain.
                    if draft.body.kind != .teamGenesis, let refusal = try session.refusal(event, draft.body) {
                        throw StoreError.rejected(refusal)
                    }
                    try session.store(event, draft.body)
                }
            }
            let clock = writer.clock
            try Meta.setClock(db, clock)
            return (signed, try session.finish())
        }
        remember(state)
        return signed
    }

    /// Signs a chained batch on all cores: ids were fixed when the batch was chained.
    static func sign(_ events: [UnsignedEvent], with key: SigningKey) -> [SignedEvent] {
        Parallel.map(count: events.count) { events[$0].signed(with: key) }
    }

    @discardableResult
    public func append(_ draft: Draft, signer key: SigningKey) throws(StoreError) -> SignedEvent {
        // One draft in gives one event out.
        try append([draft], signer: key)[0]
    }

    // MARK: - Received events

    public enum IngestResult: Equatable, Sendable {
        case accepted
        case duplicate
        /// Stored as evidence: the author already had a different event at this seq.
        case fork
        case rejected(EventError)

        /// Refused for now, but may be accepted later (clocks catch up, a predecessor arrives).
        public var isTransient: Bool {
            switch self {
            case .rejected(.clockInFuture), .rejected(.seqGap): true
            default: false
            }
        }
    }

    /// Verifies and stores events from elsewhere (sync, import). Events are applied in merge order,
    /// which keeps each author's chain in seq order and a member's addition before their events; an event
    /// whose predecessor is missing is rejected (`seq_gap`) and changes nothing.
    /// - Parameters:
    ///   - enforceRoles: check each author's role as the team stands (what a relay does).
    ///   - afterwards: runs in the same transaction, e.g. to advance a sync cursor with the events.
    public func ingest(
        _ events: [SignedEvent], nowMs: UInt64 = wallClockMs(), signaturesVerified: Bool = false, enforceRoles: Bool = false,
        afterwards: (@Sendable (Database, [LedgerID: IngestResult]) throws -> Void)? = nil
    ) throws(StoreError) -> [LedgerID: IngestResult] {
        try ingest(
            decoded: events.map { DecodedEvent(event: $0, body: nil) }, nowMs: nowMs, signaturesVerified: signaturesVerified,
            enforceRoles: enforceRoles, afterwards: afterwards)
    }

    /// `ingest` for events whose bodies were decoded ahead (off the writing thread).
    /// - Parameter inGivenOrder: store them in the order given (an order another store already applied,
    ///   which a replica must keep row for row) instead of merge order.
    public func ingest(
        decoded events: [DecodedEvent], nowMs: UInt64 = wallClockMs(), signaturesVerified: Bool = false, enforceRoles: Bool = false,
        inGivenOrder: Bool = false, afterwards: ((Database, [LedgerID: IngestResult]) throws -> Void)? = nil
    ) throws(StoreError) -> [LedgerID: IngestResult] {
        var batches = [events].makeIterator()
        return try ingest(
            batches: { batches.next() }, nowMs: nowMs, signaturesVerified: signaturesVerified, enforceRoles: enforceRoles,
            inGivenOrder: inGivenOrder, afterwards: afterwards)
    }

    /// `ingest` for batches that arrive while earlier ones are stored (a push whose next chunk's
    /// signatures are checked meanwhile), in one transaction: each batch is applied as it comes, in merge
    /// order within it; `afterEach` sees each event's outcome and the events the batch stored, in the
    /// order stored, while the transaction is open; all of it commits at once, after `afterwards`.
    /// - Parameter next: the next batch, nil after the last.
    public func ingest(
        batches next: () throws -> [DecodedEvent]?, nowMs: UInt64 = wallClockMs(), signaturesVerified: Bool = false,
        enforceRoles: Bool = false, inGivenOrder: Bool = false,
        afterEach: ((Database, [LedgerID: IngestResult], [SignedEvent]) throws -> Void)? = nil,
        afterwards: ((Database, [LedgerID: IngestResult]) throws -> Void)? = nil
    ) throws(StoreError) -> [LedgerID: IngestResult] {
        let (results, state) = try write { db in
            var session = try session(db, nowMs: nowMs, enforceRoles: enforceRoles)
            var clock = try Meta.clock(db)
            var results = [LedgerID: IngestResult]()
            while let events = try next() {
                let batch = try Self.apply(events, inGivenOrder: inGivenOrder, signaturesVerified: signaturesVerified, to: &session)
                // An event seen twice keeps its first outcome (a later copy is a duplicate of it).
                results.merge(batch.results) { first, _ in first }
                clock = max(clock, batch.clock)
                let stored = session.takeStored()
                try afterEach?(db, batch.results, stored)
            }
            try Meta.setClock(db, clock)
            let state = try session.finish()
            try afterwards?(db, results)
            return (results, state)
        }
        remember(state)
        return results
    }

    /// Applies one batch in `session`: a genesis first (it defines the team), then merge order unless
    /// `inGivenOrder`; returns each event's outcome and the highest clock stored.
    private static func apply(
        _ events: [DecodedEvent], inGivenOrder: Bool, signaturesVerified: Bool, to session: inout IngestSession
    ) throws -> (results: [LedgerID: IngestResult], clock: UInt64) {
        // The positions are sorted, not the events, so each event is copied once.
        let keys = events.map { (genesis: $0.event.envelope.kind == .teamGenesis, key: OrderKey($0.event)) }
        let ordered =
            inGivenOrder
            ? events
            : keys.indices.sorted { a, b in keys[a].genesis != keys[b].genesis ? keys[a].genesis : keys[a].key < keys[b].key }
                .map { events[$0] }
        var clock: UInt64 = 0
        var results = [LedgerID: IngestResult]()
        // Clocks are not trusted to be causal, so an event may come before what it needs in the same
        // batch. One refused for a gap waits for its predecessor and is stored right after it (linear
        // even for a chain in reverse); one refused for its role is retried while passes progress.
        var waiting = [PublicKey: [UInt64: [DecodedEvent]]]()
        var pending = ordered
        while !pending.isEmpty {
            var retry = [DecodedEvent]()
            var progressed = false
            var stack = [DecodedEvent]()
            for first in pending {
                stack.append(first)
                while let item = stack.popLast() {
                    let event = item.event
                    let env = event.envelope
                    let result = try session.ingest(event, decoded: item.body, verifySignature: !signaturesVerified || !item.signatureChecked)
                    results[event.id] = result
                    switch result {
                    case .accepted, .fork:
                        progressed = true
                        clock = max(clock, env.clock)
                        if let next = waiting[env.author]?.removeValue(forKey: env.seq + 1) { stack += next }
                    case .rejected(.seqGap): waiting[env.author, default: [:]][env.seq, default: []].append(item)
                    case .rejected(.forbidden), .rejected(.unknownRun): retry.append(item)
                    default: break
                    }
                }
            }
            guard progressed else { break }
            pending = retry
        }
        return (results, clock)
    }

    // MARK: - Event rows

    static let insertEventSQL = "INSERT INTO events (id, author, seq, clock, kind, bytes, signature) VALUES (?, ?, ?, ?, ?, ?, ?)"

    static func insert(_ db: Database, _ event: SignedEvent) throws {
        try insert(event, with: try db.cachedStatement(sql: insertEventSQL))
    }

    /// Binds an event's row to a prepared `insertEventSQL` and runs it.
    static func insert(_ event: SignedEvent, with statement: Statement) throws {
        let env = event.envelope
        try statement.execute(arguments: [
            event.id, env.author, Int64(bitPattern: env.seq), env.clock.sqlInteger, env.kind.rawValue,
            Data(event.bytes), Data(event.signature),
        ])
    }

    /// The author's highest seq and the id there (0 and zero before their first event).
    static func chainHead(_ db: Database, author: PublicKey) throws -> (UInt64, LedgerID) {
        let row = try Row.fetchOne(
            db.cachedStatement(sql: "SELECT seq, id FROM events WHERE author = ? ORDER BY seq DESC LIMIT 1"),
            arguments: [author])
        guard let row, let id = row["id"] as LedgerID? else { return (0, .zero) }
        return (UInt64(bitPattern: row["seq"]), id)
    }

    /// Events stored at one seq of an author's chain (several after a fork).
    static func links(_ db: Database, author: PublicKey, seq: UInt64) throws -> [ChainLink] {
        try Row.fetchAll(
            db.cachedStatement(sql: "SELECT id, clock FROM events WHERE author = ? AND seq = ?"),
            arguments: [author, Int64(bitPattern: seq)]
        )
        .map { ChainLink(id: $0["id"], clock: UInt64(bitPattern: $0["clock"])) }
    }

    static func neighbourhood(_ db: Database, _ env: Envelope, forkedSeq: UInt64?) throws -> ChainNeighbourhood {
        let (highest, _) = try chainHead(db, author: env.author)
        let same = try links(db, author: env.author, seq: env.seq).map(\.id)
        let predecessors = env.seq > 1 ? try links(db, author: env.author, seq: env.seq - 1) : []
        return ChainNeighbourhood(highestSeq: highest, predecessors: predecessors, sameSeq: same, forkedSeq: forkedSeq)
    }

    public func eventCount() throws(StoreError) -> Int {
        try read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM events") ?? 0 }
    }
}

/// Milliseconds since the Unix epoch, from the wall clock.
public func wallClockMs() -> UInt64 {
    UInt64(max(0, Date().timeIntervalSince1970 * 1000))
}

/// Small per-ledger settings: the team id and the hybrid clock's high-water mark. Every append reads
/// and writes them, so their statements are compiled once per connection.
enum Meta {
    static func team(_ db: Database) throws -> LedgerID? {
        try LedgerID.fetchOne(db.cachedStatement(sql: "SELECT value FROM meta WHERE key = 'team'"))
    }

    static func setTeam(_ db: Database, _ id: LedgerID) throws {
        try db.cachedStatement(sql: "INSERT OR REPLACE INTO meta (key, value) VALUES ('team', ?)").execute(arguments: [id])
    }

    static func clock(_ db: Database) throws -> UInt64 {
        (try Int64.fetchOne(db.cachedStatement(sql: "SELECT value FROM meta WHERE key = 'clock'"))).map { UInt64(bitPattern: $0) } ?? 0
    }

    static func setClock(_ db: Database, _ clock: UInt64) throws {
        try db.cachedStatement(sql: "INSERT OR REPLACE INTO meta (key, value) VALUES ('clock', ?)").execute(arguments: [clock.sqlInteger])
    }

    /// Set by a migration that changes what the views hold, in its own transaction; cleared by the rebuild
    /// that follows all migrations, so a crash between the two still rebuilds on the next open.
    static func requestRebuild(_ db: Database) throws {
        try db.execute(sql: "INSERT OR REPLACE INTO meta (key, value) VALUES ('rebuild', 1)")
    }

    static func rebuildIfRequested(_ db: Database) throws {
        guard try Bool.fetchOne(db, sql: "SELECT 1 FROM meta WHERE key = 'rebuild'") == true else { return }
        try Ledger.rebuild(db)
        try db.execute(sql: "DELETE FROM meta WHERE key = 'rebuild'")
    }
}
