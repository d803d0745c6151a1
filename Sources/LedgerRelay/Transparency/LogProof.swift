import LedgerProtocol

/// A proof as the log endpoints send it (SYNC 15): JSON with the sizes or position it is for and its
/// hashes in hex. Public so the benchmark counts the bytes a client really receives.
public struct LogProof: Codable, Sendable {
    public var old: UInt64?
    public var new: UInt64?
    public var id: String?
    public var index: UInt64?
    public var size: UInt64?
    public var proof: [String]

    public init(old: UInt64? = nil, new: UInt64? = nil, id: LedgerID? = nil, index: UInt64? = nil, size: UInt64? = nil, proof: [[UInt8]]) {
        self.old = old
        self.new = new
        self.id = id?.hex
        self.index = index
        self.size = size
        self.proof = proof.map(Hex.encode)
    }
}
