import LedgerProtocol
import LedgerTestSupport
import Testing

@testable import LedgerModel

@Suite struct RegisterTests {
    func id(_ n: UInt8) -> LedgerID { Hashing.blake2b256([n]) }

    @Test func aSingleChainHasOneHead() {
        let a = RegisterWrite(event: id(1), clock: 10, heads: [], value: "v1")
        let b = RegisterWrite(event: id(2), clock: 20, heads: [id(1)], value: "v2")
        let state = RegisterState(writes: [b, a])
        #expect(state.heads.map(\.value) == ["v2"])
        #expect(!state.isConflict)
    }

    @Test func concurrentWritesConflictAndTheHighestClockWins() {
        let base = RegisterWrite(event: id(1), clock: 10, heads: [], value: "v1")
        let alice = RegisterWrite(event: id(2), clock: 30, heads: [id(1)], value: "v2")
        let bob = RegisterWrite(event: id(3), clock: 20, heads: [id(1)], value: "v3")
        for writes in [[base, alice, bob], [bob, base, alice], [alice, bob, base]] {
            let state = RegisterState(writes: writes)
            #expect(state.isConflict)
            #expect(state.winner?.value == "v2")
            #expect(Set(state.heads.map(\.value)) == ["v2", "v3"])
        }
    }

    @Test func equalClocksFallBackToTheLowestID() {
        let x = RegisterWrite(event: id(1), clock: 5, heads: [], value: "x")
        let y = RegisterWrite(event: id(2), clock: 5, heads: [], value: "y")
        let winner = RegisterState(writes: [x, y]).winner
        #expect(winner?.event == min(id(1), id(2)))
        #expect(RegisterState(writes: [y, x]).winner == winner)
    }

    @Test func aWriteNamingAllHeadsResolvesTheConflict() {
        let alice = RegisterWrite(event: id(2), clock: 30, heads: [], value: "v2")
        let bob = RegisterWrite(event: id(3), clock: 20, heads: [], value: "v3")
        let resolve = RegisterWrite(event: id(4), clock: 40, heads: [id(2), id(3)], value: "v3")
        let state = RegisterState(writes: [alice, resolve, bob])
        #expect(!state.isConflict)
        #expect(state.winner?.value == "v3")
    }

    @Test func headsArrivingBeforeTheWritesTheyNameStillCount() {
        // The replacing write is known, the replaced one not yet (out-of-order arrival).
        let later = RegisterWrite(event: id(2), clock: 30, heads: [id(1)], value: "new")
        #expect(RegisterState(writes: [later]).winner?.value == "new")
    }

    /// A write's author saw the heads it names, so its clock is above theirs; one dated at or below a
    /// head it names is backdated and counts for nothing, in any order.
    @Test func aWriteDatedBelowAHeadItNamesIsNoWrite() {
        let base = RegisterWrite(event: id(1), clock: 10, heads: [], value: "v1")
        let backdated = RegisterWrite(event: id(2), clock: 10, heads: [id(1)], value: "v2")
        let unknownHead = RegisterWrite(event: id(3), clock: 5, heads: [id(9)], value: "v3")
        for writes in [[base, backdated, unknownHead], [unknownHead, backdated, base]] {
            let state = RegisterState(writes: writes)
            #expect(state.backdated == [id(2)])
            #expect(Set(state.heads.map(\.value)) == ["v1", "v3"])
        }
    }
}

@Suite struct NumberingAndMetricsTests {
    let alice = SigningKey(seed: [UInt8](repeating: 1, count: 32))!.publicKey
    let bob = SigningKey(seed: [UInt8](repeating: 2, count: 32))!.publicKey

    @Test func orderKeyOrdersByClockThenAuthorThenSeq() {
        let keys = [
            OrderKey(clock: 1, author: bob, seq: 1), OrderKey(clock: 1, author: alice, seq: 2),
            OrderKey(clock: 0, author: bob, seq: 9), OrderKey(clock: 1, author: alice, seq: 1),
            OrderKey(clock: 1, author: bob, seq: 2),
        ]
        let sorted = keys.sorted()
        let (low, high) = alice < bob ? (alice, bob) : (bob, alice)
        let expected = [(0, bob, 9), (1, low, 1), (1, low, 2), (1, high, 1), (1, high, 2)].map {
            OrderKey(clock: UInt64($0.0), author: $0.1, seq: UInt64($0.2))
        }
        #expect(sorted == expected)
        #expect(sorted.allSatisfy { $0.clock <= 1 })
    }

    @Test func offlineVersionsAreRenumberedVisibly() {
        let v1 = VersionNumbering.Entry(id: Hashing.blake2b256([1]), order: OrderKey(clock: 1, author: alice, seq: 1), claimedNumber: 1)
        // Both created "v2" offline; bob's has the later clock and becomes v3.
        let a2 = VersionNumbering.Entry(id: Hashing.blake2b256([2]), order: OrderKey(clock: 5, author: alice, seq: 2), claimedNumber: 2)
        let b2 = VersionNumbering.Entry(id: Hashing.blake2b256([3]), order: OrderKey(clock: 6, author: bob, seq: 1), claimedNumber: 2)
        let assigned = VersionNumbering.assign([b2, v1, a2])
        #expect(assigned[v1.id] == .init(number: 1, renumbered: false))
        #expect(assigned[a2.id] == .init(number: 2, renumbered: false))
        #expect(assigned[b2.id] == .init(number: 3, renumbered: true))
    }

    @Test func metricSummariesMergeInAnyOrder() {
        var rng = SplitMix(seed: 42)
        let points = (0..<500).map { i in
            MetricPoint(
                step: Int64(rng.next() % 50), timestamp: Int64(rng.next() % 1000),
                value: i % 97 == 0 ? .nan : Double(rng.next() % 10_000) / 100)
        }
        let whole = MetricSummary(points)
        for _ in 0..<20 {
            var shuffled = points
            shuffled.shuffle(using: &rng)
            let cut = Int(rng.next() % 500)
            let merged = MetricSummary(Array(shuffled[..<cut])).merged(with: MetricSummary(Array(shuffled[cut...])))
            #expect(merged.count == whole.count)
            #expect(merged.min == whole.min)
            #expect(merged.max == whole.max)
            #expect(merged.last?.step == whole.last?.step)
            #expect(merged.last?.value.bitPattern == whole.last?.value.bitPattern)
        }
        #expect(whole.min.map { $0.isNaN } == false)
    }
}

/// `LiveHeads`, grown write by write in merge order, agrees with `RegisterState` at every step, backdated
/// writes and heads that arrive after the writes naming them included.
@Suite struct LiveHeadsTests {
    @Test func growingWriteByWriteGivesTheRegistersLiveHeadsAtEveryStep() {
        var generator = SplitMix(seed: 615)
        for _ in 0..<300 {
            let count = Int.random(in: 1...12, using: &generator)
            let ids = (0..<count).map { Hashing.blake2b256([UInt8($0), 7]) }
            var writes = [RegisterWrite<Int>]()
            for i in 0..<count {
                // Heads among the writes made before it (an id hashes its heads, so no cycle), with any clock:
                // backdated writes, and heads ordered after the writes naming them, included.
                let heads = (0..<i).filter { _ in Int.random(in: 0..<3, using: &generator) == 0 }.map { ids[$0] }
                writes.append(RegisterWrite(event: ids[i], clock: UInt64.random(in: 1...6, using: &generator), heads: heads, value: i))
            }
            writes.sort { ($0.clock, $0.event) < ($1.clock, $1.event) }
            var grown = LiveHeads()
            for (n, w) in writes.enumerated() {
                grown.add(w)
                let expected = Set(RegisterState(writes: Array(writes[...n])).heads.map(\.event))
                #expect(grown.live == expected, "after \(n + 1) of \(writes.count) writes")
            }
        }
    }
}
