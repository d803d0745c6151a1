import Foundation
import LedgerModel
import LedgerProtocol
import LedgerStore

/// The client's side of the relay's transparency log (SPEC 6.17, SYNC 15), on every sync: the log key
/// is pinned on first sight; each pulled page must continue the leaves pulled so far; the checkpoint
/// must carry the key's signature, be consistent with the last one accepted, and have the pulled leaves
/// as a prefix. A failed check stores its evidence and stops the sync.
struct RelayLogCheck: Sendable {
    let ledger: Ledger
    let remote: String
    let client: RelayClient

    /// What a sync checks against: the pinned key, the last checkpoint accepted, the leaves pulled.
    struct Session: Sendable {
        var verifierKey: String
        var origin: String
        var key: PublicKey
        var accepted: (note: String, checkpoint: Checkpoint)?
        var frontier: MerkleFrontier?
        /// The pulled tree just before each cosignature pulled this sync: a member who cosigned that very
        /// size (they pushed right after checking) is held to it without asking the relay for a proof.
        var treeBeforeCosignature: [LedgerID: Checkpoint] = [:]
    }

    /// Pins the log key on first sight; nil when the relay keeps no log and none was pinned. Once an admin
    /// announced the team's log keys, only those are trusted, at first sight too.
    func begin(pulledBefore: Bool) async throws -> Session? {
        let announced = try await client.logKey()
        var stored = try ledger.remoteLog(remote)
        let team = try ledger.announcedLogKeys()
        if !team.isEmpty, let key = announced ?? stored?.logKey, !team.contains(key) {
            throw try fail(
                "log_key_unannounced",
                "the relay's log key \(key) is not one the team's admins announced (\(team.joined(separator: ", "))): an admin runs `mledger team announce-relay` for a relay the team trusts",
                accepted: stored?.checkpoint, served: nil, proof: key)
        }
        if stored == nil, let announced {
            try ledger.pinLog(remote: remote, logKey: announced, pulledBefore: pulledBefore)
            stored = try ledger.remoteLog(remote)
        }
        guard let stored else { return nil }
        guard announced == stored.logKey else {
            throw try fail(
                "log_key_changed", "the relay announces log key \(announced ?? "none"), not the \(stored.logKey) this workspace pinned",
                accepted: stored.checkpoint, served: nil, proof: announced ?? "")
        }
        let (origin, key) = try SignedNote.parseVerifierKey(stored.logKey)
        let accepted = try stored.checkpoint.map { note in (note, try Checkpoint.verified(note: note, origin: origin, key: key).0) }
        return Session(verifierKey: stored.logKey, origin: origin, key: key, accepted: accepted, frontier: stored.frontier)
    }

    /// Moves the frontier over a page: the page must start where the pulled leaves end, and the last
    /// (empty) page must find every logged event pulled, since pages hold logged events in log order.
    func extend(_ session: inout Session, with page: RelayClient.Page) throws {
        guard var frontier = session.frontier else { return }
        if page.frames.isEmpty {
            guard let place = page.log, place.size != frontier.size else { return }
            throw try fail(
                "events_withheld", "the relay's log holds \(place.size) events but it served \(frontier.size) before its last page",
                accepted: session.accepted?.note, served: nil, proof: "last page, log size \(place.size)")
        }
        guard let place = page.log, place.first == frontier.size else {
            throw try fail(
                "page_out_of_order",
                "the relay served a page at log position \(page.log.map { String($0.first) } ?? "none") after \(frontier.size) leaves: it dropped, withheld or reordered events",
                accepted: session.accepted?.note, served: nil,
                proof: "page after cursor, log headers \(page.log.map { "\($0.first)/\($0.size)" } ?? "absent")")
        }
        for frame in page.frames {
            let id = Hashing.blake2b256(frame.bytes)
            if Envelope.hasKind(.relayCosign, frame.bytes) {
                session.treeBeforeCosignature[id] = Checkpoint(origin: session.origin, size: frontier.size, root: frontier.root)
            }
            frontier.append(MerkleHashing.leaf(event: id))
        }
        session.frontier = frontier
    }

    /// After pulling: the checkpoint's signature, its consistency with the last one accepted and with the
    /// leaves pulled; then it becomes the accepted one, and is returned.
    func finish(_ session: Session) async throws -> (note: String, checkpoint: Checkpoint) {
        let note = try await client.checkpoint()
        let checkpoint: Checkpoint
        do {
            checkpoint = try Checkpoint.verified(note: note, origin: session.origin, key: session.key).0
        } catch {
            throw try fail(error.code, "the relay's checkpoint does not verify: \(error)", accepted: session.accepted?.note, served: note, proof: "")
        }
        if let (acceptedNote, accepted) = session.accepted {
            try await consistent(
                from: accepted, to: checkpoint, accepted: acceptedNote, served: note, what: "the last checkpoint accepted",
                code: accepted.size == checkpoint.size ? "split_view" : "inconsistent_checkpoint")
        }
        if let frontier = session.frontier {
            let pulled = Checkpoint(origin: session.origin, size: frontier.size, root: frontier.root)
            try await consistent(
                from: pulled, to: checkpoint, accepted: pulled.text, served: note, what: "the events pulled", code: "pulled_events_mismatch")
        }
        try ledger.acceptCheckpoint(remote: remote, note: note)
        return (note, checkpoint)
    }

    /// Holds members' cosignatures of this log to the checkpoint just accepted (SPEC 6.18), each distinct
    /// checkpoint once. One that is not consistent with it (the same size with another root, or no valid
    /// consistency proof between the two) proves the relay showed members different histories; one
    /// larger than the relay's latest proves a rollback.
    func checkCosignatures(_ session: Session, device: PublicKey) async throws {
        guard let (note, accepted) = session.accepted else { return }
        for group in try ledger.uncheckedCosignatures(key: session.verifierKey, except: device) {
            let theirs = group.first
            if group.events.contains(where: { session.treeBeforeCosignature[$0] == theirs.checkpoint }) {
                // The pulled leaves, proved a prefix of the accepted checkpoint, have this root at this size.
                try ledger.markCosignaturesChecked(group.events, remote: remote, consistent: true)
                continue
            }
            // Named for the evidence only, once the cheap check above did not settle it.
            let what = "the checkpoint \(try ledger.authorName(theirs.author)) cosigned in event \(theirs.event.short)"
            guard theirs.checkpoint.size <= accepted.size else {
                try ledger.markCosignaturesChecked(group.events, remote: remote, consistent: false)
                throw try fail(
                    "log_rolled_back", "the relay's log has \(accepted.size) entries, fewer than the \(theirs.checkpoint.size) of \(what)",
                    accepted: note, served: theirs.note, proof: "")
            }
            do {
                try await consistent(from: theirs.checkpoint, to: accepted, accepted: note, served: theirs.note, what: what, code: "split_view")
            } catch SyncError.relayMisbehaved(let code, let message) {
                try ledger.markCosignaturesChecked(group.events, remote: remote, consistent: false)
                throw SyncError.relayMisbehaved(code: code, message: message)
            }
            try ledger.markCosignaturesChecked(group.events, remote: remote, consistent: true)
        }
    }

    /// Proves each receipt included, at its recorded position, in the checkpoint just accepted.
    func proveReceipts() async throws -> (size: UInt64, receipts: Int) {
        guard let stored = try ledger.remoteLog(remote), let note = stored.checkpoint else { return (0, 0) }
        let (origin, key) = try SignedNote.parseVerifierKey(stored.logKey)
        let checkpoint = try Checkpoint.verified(note: note, origin: origin, key: key).0
        let receipts = try ledger.receipts(remote: remote)
        for (id, position) in receipts where position < checkpoint.size {
            let (index, proof) = try await client.inclusionProof(of: id, size: checkpoint.size)
            do {
                guard index == position else { throw TransparencyError.inclusionFailed("the relay now puts it at \(index)") }
                try MerkleProofs.verifyInclusion(
                    leaf: MerkleHashing.leaf(event: id), index: index, size: checkpoint.size, proof: proof, root: checkpoint.root)
            } catch {
                throw try fail(
                    "receipt_failed", "event \(id.short), logged at \(position), is not proved in the checkpoint of \(checkpoint.size): \(error)",
                    accepted: note, served: nil, proof: proof.map(Hex.encode).joined(separator: "\n"))
            }
        }
        return (checkpoint.size, receipts.count { $0.position < checkpoint.size })
    }

    private func consistent(
        from old: Checkpoint, to new: Checkpoint, accepted: String, served: String, what: String, code: String
    ) async throws {
        guard old.size <= new.size else {
            throw try fail(
                "log_rolled_back", "the relay's log has \(new.size) entries, fewer than the \(old.size) of \(what)", accepted: accepted,
                served: served, proof: "")
        }
        let proof = old.size == 0 || old.size == new.size ? [] : try await client.consistencyProof(old: old.size, new: new.size)
        do {
            try MerkleProofs.verifyConsistency(old: old.size, new: new.size, oldRoot: old.root, newRoot: new.root, proof: proof)
        } catch {
            throw try fail(
                code, "the relay's checkpoint of \(new.size) entries is not consistent with \(what) (\(old.size) entries): \(error)",
                accepted: accepted, served: served, proof: proof.map(Hex.encode).joined(separator: "\n"))
        }
    }

    /// Stores the evidence and returns the error that stops the sync.
    private func fail(_ code: String, _ message: String, accepted: String?, served: String?, proof: String) throws -> SyncError {
        try ledger.recordEvidence(
            LogEvidence(remote: remote, code: code, message: message, accepted: accepted, served: served, proof: proof, timeMs: Int64(wallClockMs())))
        return .relayMisbehaved(code: code, message: message)
    }
}
