import Foundation
import LedgerModel
import LedgerProtocol
import LedgerStore

/// One sync with one relay: push what it lacks (by its frontier), pull what we lack (from our cursor),
/// then upload artifact blobs it lacks. Every step is idempotent and each page commits with its cursor,
/// so an interrupted sync resumes where it stopped, with no duplicates.
public struct Syncer: Sendable {
    public let ledger: Ledger
    public let remote: Remote
    public let client: RelayClient
    public let blobs: BlobStore?
    public var pushBatch = 10_000
    public var pullPage = 10_000
    /// How long a device that only receives waits after its last cosignature before it cosigns again
    /// (SPEC 6.18); a device that wrote an event since cosigns at its next sync.
    public var witnessInterval: Int64 = 24 * 3_600_000
    /// Most bytes of events in one push (frames: envelope, length and signature), well under a relay's
    /// default request limit of 16 MiB.
    public var pushBytes = 8 << 20

    public init(ledger: Ledger, remote: Remote, key: SigningKey, blobs: BlobStore?) throws {
        guard let url = URL(string: remote.url), url.scheme == "http" || url.scheme == "https" else {
            throw SyncError.badResponse("remote '\(remote.name)' has no http(s) URL: \(remote.url)")
        }
        self.init(ledger: ledger, remote: remote, client: try RelayClient(baseURL: url, key: key), blobs: blobs)
    }

    init(ledger: Ledger, remote: Remote, client: RelayClient, blobs: BlobStore?) {
        self.ledger = ledger
        self.remote = remote
        self.blobs = blobs
        self.client = client
    }

    public struct Summary: Codable, Sendable, Equatable {
        public var pushed = 0
        public var pushDuplicates = 0
        public var pulled = 0
        public var pullDuplicates = 0
        public var forks = 0
        public var rejectedByRelay: [String] = []
        public var rejectedFromRelay: [String] = []
        /// Events of forked chains the relay still holds as evidence, past what this ledger keeps of them.
        public var pastForkBound = 0
        public var blobsUploaded = 0
        public var cursor: Int64 = 0
        /// Pulling stopped early at events this ledger cannot take yet; the next sync retries them.
        public var retryLater = false
        /// The size of the relay's checkpoint this sync cosigned (SPEC 6.18), if it cosigned one.
        public var cosigned: UInt64?
    }

    public enum Phase: String, Sendable { case push, pull, blobs }

    public func run(progress: @escaping @Sendable (Phase, Int) -> Void = { _, _ in }) async throws -> Summary {
        var summary = Summary()
        let waiting = try await pushHalf(into: &summary, progress: progress)
        let check = RelayLogCheck(ledger: ledger, remote: remote.name, client: client)
        let cursor = try ledger.remotes().first { $0.name == remote.name }?.cursor ?? remote.cursor
        var log = try await check.begin(pulledBefore: cursor > 0)
        try await pull(into: &summary, log: &log, check: check, progress: progress)
        if var checked = log {
            checked.accepted = try await check.finish(checked)
            try await check.checkCosignatures(checked, device: client.key.publicKey)
            log = checked
        }
        // A fork's other side is at a seq the relay already has, so the frontier never selects it; events
        // after it on this side waited for it, and go after it.
        giveUp(try await push(listed: try ledger.forkedEvents() + waiting, into: &summary), in: &summary)
        if let log { try await cosign(log, into: &summary) }
        if let blobs { try await uploadBlobs(blobs, into: &summary, progress: progress) }
        return summary
    }

    /// Cosigns the checkpoint just accepted, when due, and pushes the cosignature at once: it is not
    /// counted among the events pushed, and a push that fails leaves it for the next sync, without
    /// failing this one (everything else was exchanged).
    private func cosign(_ log: RelayLogCheck.Session, into summary: inout Summary) async throws {
        guard let (note, checkpoint) = log.accepted,
            try ledger.cosignatureDue(
                key: log.verifierKey, device: client.key.publicKey, size: checkpoint.size, interval: witnessInterval, nowMs: Int64(wallClockMs()))
        else { return }
        let event: SignedEvent
        do {
            event = try ledger.append(try Ledger.Draft(RelayCosign(key: log.verifierKey, checkpoint: note)), signer: client.key)
        } catch .rejected {
            // This device may sign nothing now (its chain forked, or it was removed): the sync says why.
            return
        }
        try ledger.markCosignaturesChecked([event.id], remote: remote.name, consistent: true)
        if let response = try? await client.push([event]), response.accepted == 1 { summary.cosigned = checkpoint.size }
    }

    /// Only the push half: what the relay lacks, by its frontier.
    public func push(progress: @escaping @Sendable (Phase, Int) -> Void = { _, _ in }) async throws -> Summary {
        var summary = Summary()
        let waiting = try await pushHalf(into: &summary, progress: progress)
        giveUp(try await pushAgain(waiting, into: &summary), in: &summary)
        return summary
    }

    /// Pushes what the relay lacks by its frontier; returns the events refused for a predecessor the
    /// relay lacked (pushed again later, after the other side of a fork if there is one).
    private func pushHalf(into summary: inout Summary, progress: @escaping @Sendable (Phase, Int) -> Void) async throws -> [SignedEvent] {
        try await checkTeam()
        return try await push(beyond: try await client.frontier().keys, into: &summary, progress: progress)
    }

    /// Two pushes stay in flight: the relay checks one's signatures while it stores the other (it stores
    /// pushes in arrival order). Returns the events refused for a missing predecessor, which a reordering
    /// on the way can cause, to push again once the others are in.
    private func push(
        beyond frontier: [PublicKey: UInt64], into summary: inout Summary, progress: @Sendable (Phase, Int) -> Void
    ) async throws -> [SignedEvent] {
        let ledger = self.ledger
        let limit = pushBatch
        let client = self.client
        var inFlight: Task<(events: [SignedEvent], response: RelayClient.PushResponse), Error>?
        var retry = [SignedEvent]()
        func settle(_ task: Task<(events: [SignedEvent], response: RelayClient.PushResponse), Error>) async throws {
            let (events, response) = try await task.value
            retry += account(response, events, into: &summary)
            progress(.push, summary.pushed + summary.pushDuplicates)
        }
        var batch = try ledger.events(beyond: frontier, after: 0, limit: limit, maxBytes: pushBytes)
        while !batch.events.isEmpty {
            let events = batch.events
            let sending = Task { (events: events, response: try await client.push(events)) }
            batch = try ledger.events(beyond: frontier, after: batch.lastRow, limit: limit, maxBytes: pushBytes)
            if let previous = inFlight { try await settle(previous) }
            inFlight = sending
        }
        if let last = inFlight { try await settle(last) }
        return retry
    }

    /// Pushes events the frontier cannot select, in batches of at most `pushBatch` events and
    /// `pushBytes` bytes (a relay refuses a larger request whole); returns those still waiting for a predecessor.
    private func push(listed events: [SignedEvent], into summary: inout Summary) async throws -> [SignedEvent] {
        var retry = [SignedEvent]()
        var start = 0
        while start < events.count {
            var end = start
            var bytes = 0
            while end < events.count, end - start < pushBatch, end == start || bytes + EventFrames.frameSize(of: events[end]) <= pushBytes {
                bytes += EventFrames.frameSize(of: events[end])
                end += 1
            }
            let batch = Array(events[start..<end])
            retry += account(try await client.push(batch), batch, into: &summary)
            start = end
        }
        return try await pushAgain(retry, into: &summary)
    }

    /// Pushes again, up to three times, the events refused for a predecessor the relay lacked then;
    /// returns those still refused.
    private func pushAgain(_ refused: [SignedEvent], into summary: inout Summary) async throws -> [SignedEvent] {
        var retry = refused
        var attempts = 0
        while !retry.isEmpty && attempts < 3 {
            attempts += 1
            let events = retry
            retry = account(try await client.push(events), events, into: &summary)
        }
        return retry
    }

    private func giveUp(_ refused: [SignedEvent], in summary: inout Summary) {
        for event in refused { summary.rejectedByRelay.append("\(event.id.short): its predecessor never reached the relay") }
    }

    /// Adds a push's answer to the summary; returns the events to push again: refused for a gap, or for
    /// a prev the relay does not hold at that seq (it holds the other side of a fork there).
    private func account(_ response: RelayClient.PushResponse, _ events: [SignedEvent], into summary: inout Summary) -> [SignedEvent] {
        summary.pushed += response.accepted + response.forks
        summary.pushDuplicates += response.duplicates
        summary.forks += response.forks
        var again = [SignedEvent]()
        for problem in response.problems where problem.status == "rejected" {
            if problem.code == "seq_gap" || problem.code == "wrong_prev", events.indices.contains(problem.index) {
                again.append(events[problem.index])
            } else {
                summary.rejectedByRelay.append("\(problem.id.prefix(12)): \(problem.message ?? problem.code ?? "rejected")")
            }
        }
        return again
    }

    /// A three-stage pipeline: while page k is stored (one core), page k+1's signatures are checked
    /// (all cores) and page k+2 is already on its way, so no stage waits for the network.
    private func pull(
        into summary: inout Summary, log: inout RelayLogCheck.Session?, check: RelayLogCheck, progress: @Sendable (Phase, Int) -> Void
    ) async throws {
        var cursor = try ledger.remotes().first { $0.name == remote.name }?.cursor ?? remote.cursor
        // What this ledger held when the pull began (its own events included): not verified again.
        let held = try ledger.frontier()
        var fetching = fetch(after: cursor)
        var verifying: Task<(RelayClient.Page, [Result<DecodedEvent, FrameError>]), Never>?
        while true {
            let page = try await fetching.value
            let isLast = page.frames.isEmpty
            if !isLast { fetching = fetch(after: page.cursor) }
            let checking = isLast ? nil : Task { (page, SignedEvent.decodeAll(page.frames, held: held)) }
            if let previous = verifying {
                let (stored, decoded) = await previous.value
                // Every page served counts for the log check, also one that stops the pull; only stored
                // pages move the stored frontier, with the cursor.
                if var session = log {
                    try check.extend(&session, with: stored)
                    log = session
                }
                guard try store(stored, decoded, frontier: log?.frontier, into: &summary) else { break }
                cursor = stored.cursor
                progress(.pull, summary.pulled + summary.pullDuplicates)
            }
            if isLast {
                if var session = log { try check.extend(&session, with: page) }
                break
            }
            verifying = checking
        }
        summary.cursor = cursor
    }

    private func fetch(after cursor: Int64) -> Task<RelayClient.Page, Error> {
        let client = self.client
        let limit = pullPage
        return Task { try await client.pull(after: cursor, limit: limit) }
    }

    /// Stores one verified page with its cursor; false when it held events to retry later (pulling stops
    /// there and the cursor stays, so the next sync fetches them again and skips nothing).
    private func store(
        _ page: RelayClient.Page, _ decoded: [Result<DecodedEvent, FrameError>], frontier: MerkleFrontier?, into summary: inout Summary
    ) throws -> Bool {
        let valid = decoded.compactMap { try? $0.get() }
        for case .failure(let f) in decoded { summary.rejectedFromRelay.append("\(f.id.short): \(f.error)") }
        let name = remote.name
        let newCursor = page.cursor
        // This workspace's own events, where the relay logged them: receipts `mledger verify --relay` proves.
        let me = client.key.publicKey
        let receipts: [(id: LedgerID, position: UInt64)] =
            frontier == nil
            ? []
            : decoded.enumerated().compactMap { offset, item in
                guard case .success(let e) = item, e.event.envelope.author == me, let first = page.log?.first else { return nil }
                return (e.event.id, first + UInt64(offset))
            }
        let results = try ledger.ingest(decoded: valid, signaturesVerified: true) { db, results in
            if !results.values.contains(where: \.isTransient) {
                try Ledger.setCursor(db, remote: name, cursor: newCursor)
                if let frontier { try Ledger.setLogFrontier(db, remote: name, frontier: frontier) }
                try Ledger.addReceipts(db, remote: name, receipts)
            }
        }
        if results.values.contains(where: \.isTransient) {
            summary.retryLater = true
            for (id, result) in results where result.isTransient {
                if case .rejected(let error) = result { summary.rejectedFromRelay.append("\(id.short): \(error) (will retry)") }
            }
            return false
        }
        for (id, result) in results {
            switch result {
            case .accepted: summary.pulled += 1
            case .fork:
                summary.pulled += 1
                summary.forks += 1
            case .duplicate: summary.pullDuplicates += 1
            case .rejected(.forkedChain): summary.pastForkBound += 1
            case .rejected(let error): summary.rejectedFromRelay.append("\(id.short): \(error)")
            }
        }
        return true
    }

    private func uploadBlobs(_ blobs: BlobStore, into summary: inout Summary, progress: @Sendable (Phase, Int) -> Void) async throws {
        for hash in try ledger.referencedBlobs() where blobs.contains(hash) {
            guard try await upload(hash, from: blobs.url(for: hash)) else { continue }
            summary.blobsUploaded += 1
            progress(.blobs, summary.blobsUploaded)
        }
    }

    /// Refuses a relay that announces another team than this ledger's (a ledger without a team yet, one
    /// joining with `mledger init --join`, takes the relay's).
    private func checkTeam() async throws {
        if let relayTeam = try await client.audience().team, let localTeam = try ledger.team(), relayTeam != localTeam {
            throw SyncError.teamMismatch(local: localTeam.hex, relay: relayTeam.hex)
        }
    }

    /// `mledger verify --relay`: the relay's latest checkpoint checked as a sync checks it, then every
    /// receipt of this workspace's events proved included in it at its recorded position. Returns the
    /// checkpoint's size and the number of receipts proved.
    public func verifyReceipts() async throws -> (size: UInt64, receipts: Int) {
        try await checkTeam()
        let check = RelayLogCheck(ledger: ledger, remote: remote.name, client: client)
        guard let session = try await check.begin(pulledBefore: true) else {
            throw SyncError.badResponse("the relay keeps no transparency log, so there is nothing to verify")
        }
        try await check.finish(session)
        return try await check.proveReceipts()
    }

    /// Uploads what the relay lacks of a blob; false when it held it whole. An upload that the relay is
    /// still finishing (a killed client's, whose bytes it is syncing to disk) is waited for, then continued
    /// from the bytes it kept.
    private func upload(_ hash: [UInt8], from file: URL) async throws -> Bool {
        for attempt in 1... {
            guard case .partial(let held) = try await client.blobHolding(hash) else { return false }
            do {
                try await client.uploadBlob(hash, from: file, after: held)
                return true
            } catch SyncError.refused(409, let code, _) where attempt < 30 && (code == "upload_in_progress" || code == "bad_offset") {
                try await Task.sleep(for: .seconds(1))
            }
        }
        return true
    }

    /// Fetches a blob into the local store (for `model pull` when the file was logged elsewhere).
    public func fetchBlob(_ sha256: [UInt8], into blobs: BlobStore) async throws {
        try await checkTeam()
        // Streamed into the blob's partial file and checked on the way, then renamed into place: never whole
        // in memory, and an interrupted download continues from the bytes it left.
        let partial = blobs.partialURL(for: sha256)
        try FileManager.default.createDirectory(at: partial.deletingLastPathComponent(), withIntermediateDirectories: true)
        try await client.downloadBlob(sha256, to: partial)
        if !(try BlobStore.place(partial, at: blobs.url(for: sha256))) { try? FileManager.default.removeItem(at: partial) }
    }
}
