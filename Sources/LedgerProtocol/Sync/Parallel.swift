import Dispatch
import Foundation

/// Maps over many items on all cores, one contiguous block per core (interleaved slots would share
/// cache lines). Small inputs stay on the calling thread.
public enum Parallel {
    public static func map<T: Sendable>(count: Int, minimumForThreads: Int = 64, _ transform: @Sendable (Int) -> T) -> [T] {
        let workers = count < minimumForThreads ? 1 : ProcessInfo.processInfo.activeProcessorCount
        var out = [T?](repeating: nil, count: count)
        out.withUnsafeMutableBufferPointer { buffer in
            nonisolated(unsafe) let slots = buffer
            DispatchQueue.concurrentPerform(iterations: workers) { w in
                let size = (count + workers - 1) / workers
                for i in min(count, w * size)..<min(count, (w + 1) * size) { slots[i] = transform(i) }
            }
        }
        // Every slot was filled by exactly one worker.
        return out.map { $0! }
    }
}

/// Decoding and signature checks of received frames, in parallel, keeping their order.
extension SignedEvent {
    public static func decodeAll(_ frames: [(bytes: [UInt8], signature: [UInt8])]) -> [Result<SignedEvent, FrameError>] {
        Parallel.map(count: frames.count) { i in
            let f = frames[i]
            do throws(EventError) {
                return .success(try SignedEvent(bytes: f.bytes, signature: f.signature))
            } catch {
                return .failure(FrameError(id: Hashing.blake2b256(f.bytes), error: error))
            }
        }
    }
}

/// A received frame that is not a valid event, named by the hash of its bytes.
public struct FrameError: Error, Sendable {
    public var id: LedgerID
    public var error: EventError
}
