import HTTPTypes
import LedgerProtocol
import LedgerStore

/// Where a pull page sits in the transparency log (SYNC 7): its events are the leaves from `first` on, in
/// page order, and the log had `size` leaves when the page was read. A page holds only logged events.
struct LogPositions: Sendable {
    var first: UInt64
    var size: UInt64

    static let firstHeader = HTTPField.Name("X-Mledger-Log-First")!
    static let sizeHeader = HTTPField.Name("X-Mledger-Log-Size")!

    /// Reads a pull page no further than the log reaches, and its positions.
    static func page(
        after: Int64, limit: Int, ledger: Ledger, log: TransparencyLog, team: LedgerID
    ) throws -> (EventPage, LogPositions?) {
        let head = try log.catchUp(ledger: ledger, team: team)
        let page = try ledger.frames(after: after, through: head.cursor, limit: limit)
        let first = try log.storage.firstPosition(from: after + 1) ?? head.size
        return (EventPage(page), LogPositions(first: first, size: head.size))
    }

    func add(to headers: inout HTTPFields) {
        headers[Self.firstHeader] = String(first)
        headers[Self.sizeHeader] = String(size)
    }
}
