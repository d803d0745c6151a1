import Foundation
import LedgerProtocol
import Synchronization
import Testing

@Suite struct ParallelTests {
    /// Workers take blocks from a shared counter and write results in place: every index is mapped
    /// once and lands in its own slot, whatever the count, including counts that leave a partial block.
    @Test(arguments: [0, 1, 63, 64, 65, 1_000, 10_007])
    func mapsEveryIndexOnceInOrder(count: Int) {
        let calls = Mutex(0)
        let out = Parallel.map(count: count) { i -> String in
            calls.withLock { $0 += 1 }
            // Uneven work, so blocks finish out of order.
            if i % 97 == 0 { usleep(200) }
            return "item \(i)"
        }
        #expect(out == (0..<count).map { "item \($0)" })
        #expect(calls.withLock { $0 } == count)
    }
}
