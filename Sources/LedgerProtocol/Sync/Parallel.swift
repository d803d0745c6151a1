import Dispatch
import Foundation
import Synchronization

/// Maps over many items on all cores. Workers take the next block of items from a shared counter, so
/// a worker slowed by other work on its core (a reader, a writer, another process) leaves the rest to
/// the others instead of holding them up at the end; blocks are contiguous (interleaved slots would
/// share cache lines). Small inputs stay on the calling thread.
public enum Parallel {
    /// Runs on dedicated threads rather than the dispatch pool: called from a pool thread (a server
    /// handler), `concurrentPerform` may find no idle thread and run everything on the caller.
    public static func map<T: Sendable>(count: Int, minimumForThreads: Int = 64, _ transform: @escaping @Sendable (Int) -> T) -> [T] {
        let workers = count < minimumForThreads ? 1 : min(count, ProcessInfo.processInfo.activeProcessorCount)
        // Results are written in place, each slot once: no optional per slot and no copy at the end.
        return [T](unsafeUninitializedCapacity: count) { buffer, initialized in
            nonisolated(unsafe) let slots = buffer
            // Blocks small enough to even out the finish, large enough that the counter stays cold.
            let block = max(1, min(32, count / (workers * 8)))
            let next = BlockCounter()
            let work: @Sendable () -> Void = {
                while true {
                    let start = next.take(block)
                    guard start < count else { return }
                    for i in start..<min(count, start + block) { slots.initializeElement(at: i, to: transform(i)) }
                }
            }
            let done = DispatchGroup()
            for _ in 1..<max(1, workers) {
                done.enter()
                Thread {
                    work()
                    done.leave()
                }.start()
            }
            work()
            done.wait()
            initialized = count
        }
    }
}

/// The next unclaimed index of a parallel map, shared by its workers.
private final class BlockCounter: Sendable {
    private let next = Atomic<Int>(0)

    /// Claims `size` indices; returns the first.
    func take(_ size: Int) -> Int { next.wrappingAdd(size, ordering: .relaxed).oldValue }
}

/// Runs blocking work (SQLite, sockets, signature checks) on a dispatch thread, off the async executor's
/// few threads.
public func offload<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        DispatchQueue.global().async { continuation.resume(with: Result { try work() }) }
    }
}

/// Runs work that may block for long (a push waiting for its turn, a child process) on a thread of its
/// own, so waiting work can never occupy every thread of the shared pools that other work needs.
public func onOwnThread<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        Thread { continuation.resume(with: Result { try work() }) }.start()
    }
}

/// Work started on another thread, whose result the caller waits for later (to overlap two stages).
public final class Background<T: Sendable>: @unchecked Sendable {
    private let group = DispatchGroup()
    // Written once by the worker before `leave`, read after `wait`: the group orders the two.
    private var result: T?

    public init(_ work: @escaping @Sendable () -> T) {
        group.enter()
        Thread {
            self.result = work()
            self.group.leave()
        }.start()
    }

    public func wait() -> T {
        group.wait()
        return result!
    }
}

/// Decoding and signature checks of received frames, in parallel, keeping their order.
extension SignedEvent {
    /// Bodies are decoded here too (nil when invalid: the receiver's own check then reports it in order).
    /// A frame at or below `held` (the receiver's highest seq per author) is almost always an event the
    /// receiver stores already, e.g. one it just pushed: it is only decoded, and marked unchecked, so the
    /// receiver verifies it only if it turns out new (the other side of a fork).
    public static func decodeAll(
        _ frames: [(bytes: [UInt8], signature: [UInt8])], held: [PublicKey: UInt64] = [:]
    ) -> [Result<DecodedEvent, FrameError>] {
        Parallel.map(count: frames.count) { i in
            let f = frames[i]
            do throws(EventError) {
                let unchecked = try SignedEvent(bytes: f.bytes, signature: f.signature, verifySignature: false)
                let env = unchecked.envelope
                if env.seq <= held[env.author] ?? 0 { return .success(DecodedEvent(event: unchecked, body: nil, signatureChecked: false)) }
                guard unchecked.hasValidSignature() else { throw EventError.badSignature }
                return .success(DecodedEvent(event: unchecked, body: try? unchecked.body()))
            } catch {
                return .failure(FrameError(id: Hashing.blake2b256(f.bytes), error: error))
            }
        }
    }
}

/// A received event whose signature checked out (or that is marked for the receiver to check), with
/// its body when that decoded.
public struct DecodedEvent: Sendable {
    public var event: SignedEvent
    public var body: EventBody?
    /// False when the signature was left to the receiver: it checks it unless the event is stored already.
    public var signatureChecked: Bool

    public init(event: SignedEvent, body: EventBody?, signatureChecked: Bool = true) {
        self.event = event
        self.body = body
        self.signatureChecked = signatureChecked
    }
}

/// A received frame that is not a valid event, named by the hash of its bytes.
public struct FrameError: Error, Sendable {
    public var id: LedgerID
    public var error: EventError
}
