/// Hybrid logical clock values: the upper 48 bits are Unix milliseconds, the lower 16 a counter.
///
/// A new event's clock is above every clock its author has seen and never behind the wall clock, so
/// causally later events order later even when wall clocks disagree.
public enum HybridClock {
    /// Events whose physical time is further ahead of the receiver's wall clock are rejected.
    public static let maxFutureSkewMs: UInt64 = 10 * 60 * 1000

    public static func next(afterSeen seen: UInt64, nowMs: UInt64) -> UInt64 {
        max(nowMs << 16, seen &+ 1)
    }

    public static func milliseconds(_ clock: UInt64) -> UInt64 { clock >> 16 }

    public static func check(_ clock: UInt64, nowMs: UInt64) throws(EventError) {
        let ms = milliseconds(clock)
        if ms > nowMs + maxFutureSkewMs { throw .clockInFuture(eventMs: ms, nowMs: nowMs) }
    }
}
