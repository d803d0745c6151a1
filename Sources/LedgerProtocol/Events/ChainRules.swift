/// Where a verified event fits in its author's chain.
public enum ChainPlacement: Equatable, Sendable {
    /// The next link (or a link whose predecessor is known): store it.
    case append
    /// Already stored: nothing to do.
    case duplicate
    /// A second event at an occupied seq: store it as evidence of equivocation and flag it.
    case fork(existing: [LedgerID])
}

/// One stored event of a chain, as the chain rules need it.
public struct ChainLink: Sendable, Equatable {
    public var id: LedgerID
    public var clock: UInt64
    public init(id: LedgerID, clock: UInt64) {
        self.id = id
        self.clock = clock
    }
}

/// What a receiver knows of one author's chain around a new event's seq.
public struct ChainNeighbourhood: Sendable {
    /// Highest seq stored for this author (0 when none).
    public var highestSeq: UInt64
    /// Events stored at the new event's `seq - 1` (more than one after a fork).
    public var predecessors: [ChainLink]
    /// Ids stored at the new event's own seq.
    public var sameSeq: [LedgerID]
    /// The lowest seq at which the author's stored chain is forked, if it is.
    public var forkedSeq: UInt64?

    public init(highestSeq: UInt64, predecessors: [ChainLink], sameSeq: [LedgerID], forkedSeq: UInt64? = nil) {
        self.highestSeq = highestSeq
        self.predecessors = predecessors
        self.sameSeq = sameSeq
        self.forkedSeq = forkedSeq
    }
}

/// What a receiver keeps of a forked chain: the evidence, and a short stretch after it.
public enum ForkBound {
    /// Most events stored at one (author, seq): the two that prove the fork.
    public static let eventsPerSeq = 2
    /// Events of a forked author count, and are stored, only up to this many seqs past the first fork.
    public static let seqsPastFork: UInt64 = 16

    /// Whether an event at `seq` lies beyond what is kept of a chain forked at `forkedSeq`.
    public static func isBeyond(seq: UInt64, forkedSeq: UInt64?) -> Bool {
        guard let forkedSeq else { return false }
        return seq > forkedSeq &+ seqsPastFork
    }
}

/// The rules every receiver (local store, relay, verifier) applies to an event with a valid signature.
public enum ChainRules {
    /// Checks team, clock, body and chain link, and says where the event goes.
    /// - Parameter team: the receiver's team id; nil only before any team is known (accepting a genesis).
    public static func place(
        _ event: SignedEvent, team: LedgerID?, nowMs: UInt64, chain: ChainNeighbourhood
    ) throws(EventError) -> ChainPlacement {
        try check(event, team: team, nowMs: nowMs, chain: chain).placement
    }

    /// `place`, also returning the decoded body (nil for a duplicate, whose body was checked before).
    /// `decoded` is the body if the caller decoded it already (in parallel, ahead of storing).
    public static func check(
        _ event: SignedEvent, team: LedgerID?, nowMs: UInt64, chain: ChainNeighbourhood, decoded: EventBody? = nil
    ) throws(EventError) -> (placement: ChainPlacement, body: EventBody?) {
        let env = event.envelope
        if let team {
            let eventTeam = env.kind == .teamGenesis ? event.id : env.team
            guard eventTeam == team else { throw .wrongTeam(expected: team, got: eventTeam) }
        }
        if chain.sameSeq.contains(event.id) { return (.duplicate, nil) }
        try HybridClock.check(env.clock, nowMs: nowMs)
        let body: EventBody
        if let decoded { body = decoded } else { body = try event.body() }
        let forkedSeq = chain.sameSeq.isEmpty ? chain.forkedSeq : min(chain.forkedSeq ?? env.seq, env.seq)
        if chain.sameSeq.count >= ForkBound.eventsPerSeq {
            throw .forkedChain("\(chain.sameSeq.count) events of this author at seq \(env.seq) are kept as evidence already")
        }
        if ForkBound.isBeyond(seq: env.seq, forkedSeq: forkedSeq) {
            throw .forkedChain(
                "the author's chain forked at seq \(forkedSeq ?? 0); nothing past seq \((forkedSeq ?? 0) + ForkBound.seqsPastFork) is kept")
        }
        if env.seq > 1 {
            guard let prev = chain.predecessors.first(where: { $0.id == env.prev }) else {
                if chain.predecessors.isEmpty { throw .seqGap(expected: chain.highestSeq + 1, got: env.seq) }
                throw .wrongPrev(seq: env.seq)
            }
            guard env.clock > prev.clock else { throw .staleClock(seq: env.seq) }
        }
        return (chain.sameSeq.isEmpty ? .append : .fork(existing: chain.sameSeq), body)
    }
}
