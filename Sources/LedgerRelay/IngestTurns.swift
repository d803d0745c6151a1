import Foundation

/// Pushes take turns to store in the order they arrived, while their signature checks run at once: a
/// client can keep two pushes of one chain in flight and the second still lands after the first.
final class IngestTurns: @unchecked Sendable {
    private let condition = NSCondition()
    private var issued = 0
    private var serving = 0

    /// A place in line, taken when a push's body has arrived.
    func ticket() -> Int {
        condition.lock()
        defer { condition.unlock() }
        issued += 1
        return issued - 1
    }

    /// Blocks until every earlier ticket is done.
    func wait(for ticket: Int) {
        condition.lock()
        while serving != ticket { condition.wait() }
        condition.unlock()
    }

    /// Ends a turn, waiting for it first if the push never stored anything (so no turn is skipped).
    func done(_ ticket: Int) {
        condition.lock()
        while serving != ticket { condition.wait() }
        serving = ticket + 1
        condition.broadcast()
        condition.unlock()
    }
}
