import LedgerProtocol

/// The live heads of a register grown one write at a time: after any sequence of `add`, `live` is the
/// set `RegisterState(writes:)` gives for those writes, at a cost per write instead of per question. The
/// approval rules ask it once per completed request, in merge order (SPEC 6.15).
struct LiveHeads {
    private(set) var live: Set<LedgerID> = []
    private var clocks: [LedgerID: UInt64] = [:]
    private var heads: [LedgerID: [LedgerID]] = [:]
    /// For each id, the writes added so far that name it as a head.
    private var namedBy: [LedgerID: [LedgerID]] = [:]
    /// How many writes that are not backdated name each id.
    private var supersededBy: [LedgerID: Int] = [:]
    private var backdated: Set<LedgerID> = []

    mutating func add<Value>(_ w: RegisterWrite<Value>) {
        guard clocks[w.event] == nil else { return }
        clocks[w.event] = w.clock
        heads[w.event] = w.heads
        for h in w.heads { namedBy[h, default: []].append(w.event) }
        let isBackdated = w.heads.contains { clocks[$0].map { $0 >= w.clock } ?? false }
        // Writes added before that name this one with a clock not above it were backdated all along.
        for x in namedBy[w.event] ?? [] where x != w.event && !backdated.contains(x) && (clocks[x] ?? 0) <= w.clock {
            backdated.insert(x)
            live.remove(x)
            for h in heads[x] ?? [] {
                supersededBy[h, default: 0] -= 1
                // This write's own place is decided below.
                if supersededBy[h] == 0, h != w.event, clocks[h] != nil, !backdated.contains(h) { live.insert(h) }
            }
        }
        if isBackdated {
            backdated.insert(w.event)
            return
        }
        for h in w.heads {
            supersededBy[h, default: 0] += 1
            live.remove(h)
        }
        if supersededBy[w.event, default: 0] == 0 { live.insert(w.event) }
    }
}
