extension Schema {
    /// What this workspace holds a relay's transparency log to (SPEC 6.17): per remote the pinned log key,
    /// the last checkpoint accepted and the frontier of the leaves pulled (which moves with the pull
    /// cursor, in the same transaction); and the evidence of every failed check, kept to show others.
    /// `frontier_size` is -1 when pulls began before the log was kept, so pages cannot be checked.
    static let remoteLogSQL = """
        CREATE TABLE remote_logs (
            remote TEXT PRIMARY KEY, log_key TEXT NOT NULL, checkpoint TEXT,
            frontier_size INTEGER NOT NULL, frontier BLOB NOT NULL);
        -- This workspace's own events as a relay logged them: where each one is, to prove it later.
        CREATE TABLE log_receipts (remote TEXT NOT NULL, event BLOB NOT NULL, position INTEGER NOT NULL, PRIMARY KEY (remote, event)) WITHOUT ROWID;
        CREATE TABLE log_evidence (
            id INTEGER PRIMARY KEY, remote TEXT NOT NULL, code TEXT NOT NULL, message TEXT NOT NULL,
            accepted TEXT, served TEXT, proof TEXT NOT NULL, time_ms INTEGER NOT NULL);
        """

    /// Cosignatures this workspace checked against a relay's log, with what the check found.
    static let cosignChecksSQL = """
        CREATE TABLE cosign_checks (event BLOB PRIMARY KEY, remote TEXT NOT NULL, ok INTEGER NOT NULL) WITHOUT ROWID;
        """
}
