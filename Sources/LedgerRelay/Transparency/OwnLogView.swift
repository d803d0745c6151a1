import LedgerModel
import LedgerProtocol
import LedgerStore

extension TransparencyLog {
    /// This relay's own log as its dashboard shows it: the key and whether an admin announced it, the
    /// latest checkpoint, and each member's largest cosignature held to this log's own tree (SPEC 6.18),
    /// so an operator sees who witnessed the log and whether any member was shown another history.
    public func view(ledger: Ledger, team: LedgerID) throws -> RelayLogView {
        try catchUp(ledger: ledger, team: team)
        let key = verifierKey(team: team)
        let note = try latestCheckpoint(team: team)
        let latest = try Checkpoint(unverifiedNote: note)
        let witnesses = try ledger.witnesses(key: key).map { witness in
            var held = witness
            held.consistent = isPrefix(size: witness.size, root: witness.root, of: latest)
            return held
        }
        return RelayLogView(
            remote: "this relay", url: "", logKey: key, announced: try ledger.announcedLogKeys().contains(key), size: latest.size,
            root: Hex.encode(latest.root), checkpoint: note, pagesChecked: true, witnesses: witnesses)
    }

    /// Whether the tree of `size` leaves with this root is a prefix of `latest`, by a proof of this log's.
    private func isPrefix(size: UInt64, root: String, of latest: Checkpoint) -> Bool {
        guard size <= latest.size, let root = Hex.decode(root), let proof = try? storage.consistencyProof(old: size, new: latest.size) else {
            return false
        }
        return (try? MerkleProofs.verifyConsistency(old: size, new: latest.size, oldRoot: root, newRoot: latest.root, proof: proof)) != nil
    }
}
