import LedgerProtocol

/// A relay's transparency log as a workspace checked it (SPEC 6.17): the pinned key and whether an admin
/// announced it, the last checkpoint accepted, and whether pulled pages are checked against the log.
public struct RelayLogView: Codable, Sendable, Equatable {
    public var remote: String
    public var url: String
    public var logKey: String?
    /// Whether an admin announced the log key (`mledger team announce-relay`).
    public var announced: Bool
    public var size: UInt64?
    public var root: String?
    public var checkpoint: String?
    public var pagesChecked: Bool
    /// Members who cosigned a checkpoint of this log, each with the largest one.
    public var witnesses: [LogWitness]

    public init(
        remote: String, url: String, logKey: String?, announced: Bool, size: UInt64?, root: String?, checkpoint: String?, pagesChecked: Bool,
        witnesses: [LogWitness] = []
    ) {
        self.remote = remote
        self.url = url
        self.logKey = logKey
        self.announced = announced
        self.size = size
        self.root = root
        self.checkpoint = checkpoint
        self.pagesChecked = pagesChecked
        self.witnesses = witnesses
    }
}

/// A member who witnessed a relay's log: the largest checkpoint they cosigned (SPEC 6.18).
public struct LogWitness: Codable, Sendable, Equatable {
    public var member: AuthorView
    public var size: UInt64
    public var root: String
    /// Whether the member's cosignatures are consistent with the checkpoint this workspace accepted:
    /// false if any was not, nil until a sync checked them all.
    public var consistent: Bool?

    public init(member: AuthorView, size: UInt64, root: String, consistent: Bool?) {
        self.member = member
        self.size = size
        self.root = root
        self.consistent = consistent
    }
}

/// A failed transparency check, with what proves it: the checkpoint accepted before, the one served,
/// and the proof (or what stood in its place).
public struct LogEvidence: Codable, Sendable, Equatable {
    public var remote: String
    public var code: String
    public var message: String
    public var accepted: String?
    public var served: String?
    public var proof: String
    public var timeMs: Int64

    public init(remote: String, code: String, message: String, accepted: String?, served: String?, proof: String, timeMs: Int64) {
        self.remote = remote
        self.code = code
        self.message = message
        self.accepted = accepted
        self.served = served
        self.proof = proof
        self.timeMs = timeMs
    }
}
