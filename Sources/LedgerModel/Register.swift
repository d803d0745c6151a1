import LedgerProtocol

/// One write to a shared, concurrently editable value (an alias, a description): the event that wrote
/// it, its clock, the heads it had seen, and the value it wrote.
public struct RegisterWrite<Value: Sendable & Equatable>: Sendable, Equatable {
    public var event: LedgerID
    public var clock: UInt64
    public var heads: [LedgerID]
    public var value: Value

    public init(event: LedgerID, clock: UInt64, heads: [LedgerID], value: Value) {
        self.event = event
        self.clock = clock
        self.heads = heads
        self.value = value
    }
}

/// The state of a multi-value register: every write that no later write has seen is a live head.
/// One live head is an agreed value; several are a conflict that everyone sees until a write naming
/// them all resolves it.
public struct RegisterState<Value: Sendable & Equatable>: Sendable, Equatable {
    /// Live heads, the winner first, then by the same rule.
    public var heads: [RegisterWrite<Value>]
    /// Backdated writes (see `init(writes:)`), which count for nothing.
    public var backdated: Set<LedgerID>
    public var winner: RegisterWrite<Value>? { heads.first }
    public var isConflict: Bool { heads.count > 1 }

    /// Resolves a register from all writes to it, in any order. The winner among concurrent heads is
    /// the highest clock, then the lowest event id: the same answer on every machine.
    ///
    /// A write whose clock is not above the clock of every write of this register it names as a head is
    /// backdated (its author saw those writes, so its clock exceeds theirs): it is not a write at all.
    public init(writes all: [RegisterWrite<Value>]) {
        let clocks = Dictionary(all.map { ($0.event, $0.clock) }, uniquingKeysWith: max)
        let writes = all.filter { w in w.heads.allSatisfy { head in clocks[head].map { $0 < w.clock } ?? true } }
        backdated = Set(all.map(\.event)).subtracting(writes.map(\.event))
        let superseded = Set(writes.flatMap(\.heads))
        heads = writes.filter { !superseded.contains($0.event) }.sorted(by: Self.wins)
    }

    static func wins(_ a: RegisterWrite<Value>, _ b: RegisterWrite<Value>) -> Bool {
        a.clock != b.clock ? a.clock > b.clock : a.event < b.event
    }
}
