import Foundation
import LedgerModel
import LedgerProtocol
import LedgerStore

/// A push's frames in chunks whose signatures are checked ahead of the store, one chunk after another
/// on all cores from the moment the body arrived: while a chunk is written (one core), or while an
/// earlier push commits, later chunks are being checked. It hands the store each chunk's events that may
/// be stored and keeps what it decoded and refused, to answer every event in push order.
final class PushChunks: @unchecked Sendable {
    static let size = 1000

    private let chunks: [[(bytes: [UInt8], signature: [UInt8])]]
    private let signer: PublicKey
    private let configuredTeam: LedgerID?
    /// Guards everything below.
    private let condition = NSCondition()
    /// Chunks checked so far, in order (appended by the checking thread).
    private var checked: [[Result<DecodedEvent, FrameError>]] = []
    /// How many chunks `next` handed out.
    private var handedOut = 0
    private var refused: [LedgerID: EventError] = [:]
    private var seen: Set<LedgerID> = []

    /// Starts checking every chunk, in order, on a thread of its own.
    init(_ frames: [(bytes: [UInt8], signature: [UInt8])], signer: PublicKey, configuredTeam: LedgerID?) {
        chunks = stride(from: 0, to: frames.count, by: Self.size).map { Array(frames[$0..<min($0 + Self.size, frames.count)]) }
        self.signer = signer
        self.configuredTeam = configuredTeam
        Thread { [self] in
            for chunk in chunks {
                let decoded = SignedEvent.decodeAll(chunk)
                condition.withLock {
                    checked.append(decoded)
                    condition.broadcast()
                }
            }
        }.start()
    }

    /// Blocks until the first chunk is checked (so a push checks it before waiting for its turn).
    func checkFirst() {
        condition.withLock { waitForChecked(1) }
    }

    /// Call with the lock held.
    private func waitForChecked(_ count: Int) {
        while checked.count < min(count, chunks.count) { condition.wait() }
    }

    /// The next chunk's events that may be stored (nil after the last), once checked. Call from one
    /// thread at a time.
    func next() -> [DecodedEvent]? {
        condition.withLock {
            guard handedOut < chunks.count else { return nil }
            waitForChecked(handedOut + 1)
            let decoded = checked[handedOut]
            handedOut += 1
            var valid = [DecodedEvent]()
            for case .success(let item) in decoded where !seen.contains(item.event.id) {
                seen.insert(item.event.id)
                if let refusal = refusal(item.event) {
                    refused[item.event.id] = refusal
                } else {
                    valid.append(item)
                }
            }
            return valid
        }
    }

    /// Only the team's founder pushes its genesis, and only the genesis of the team this relay serves.
    private func refusal(_ event: SignedEvent) -> EventError? {
        guard event.envelope.kind == .teamGenesis else { return nil }
        if let configuredTeam, event.id != configuredTeam { return .wrongTeam(expected: configuredTeam, got: event.id) }
        if event.envelope.author != signer { return .forbidden("a team's genesis is pushed by its founder") }
        return nil
    }

    /// The answer for every event handed out so far, in push order, given what the store made of them.
    func response(_ outcomes: [LedgerID: Ledger.IngestResult]) -> EventRoutes.PushResponse {
        condition.withLock {
            var response = EventRoutes.PushResponse()
            var reported = Set<LedgerID>()
            for (k, decoded) in checked.prefix(handedOut).enumerated() {
                for (offset, item) in decoded.enumerated() {
                    let index = k * Self.size + offset
                    switch item {
                    case .failure(let failure): response.add(index, failure.id, .rejected(failure.error))
                    case .success(let item):
                        let id = item.event.id
                        // A second copy of an event in the same push is a duplicate of the first.
                        let outcome = reported.contains(id) ? .duplicate : refused[id].map { .rejected($0) } ?? outcomes[id] ?? .duplicate
                        reported.insert(id)
                        response.add(index, id, outcome)
                    }
                }
            }
            return response
        }
    }
}
