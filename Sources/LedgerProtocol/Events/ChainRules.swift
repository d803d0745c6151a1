/// Where a verified event fits in its author's chain.
public enum ChainPlacement: Equatable, Sendable {
    /// The next link (or a link whose predecessor is known): store it.
    case append
    /// Already stored: nothing to do.
    case duplicate
    /// A second event at an occupied seq: store it as evidence of equivocation and flag it.
    case fork(existing: [LedgerID])
}

/// What a receiver knows of one author's chain around a new event's seq.
public struct ChainNeighbourhood: Sendable {
    /// Highest seq stored for this author (0 when none).
    public var highestSeq: UInt64
    /// Ids stored at the new event's `seq - 1` (more than one after a fork).
    public var predecessors: [LedgerID]
    /// Ids stored at the new event's own seq.
    public var sameSeq: [LedgerID]

    public init(highestSeq: UInt64, predecessors: [LedgerID], sameSeq: [LedgerID]) {
        self.highestSeq = highestSeq; self.predecessors = predecessors; self.sameSeq = sameSeq
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
        if env.seq > 1, !chain.predecessors.contains(env.prev) {
            if chain.predecessors.isEmpty { throw .seqGap(expected: chain.highestSeq + 1, got: env.seq) }
            throw .wrongPrev(seq: env.seq)
        }
        return (chain.sameSeq.isEmpty ? .append : .fork(existing: chain.sameSeq), body)
    }
}
