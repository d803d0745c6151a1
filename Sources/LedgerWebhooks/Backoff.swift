/// When to try a failed delivery again: 1 s, 2 s, 4 s ... doubling up to a cap (an hour by default), so a
/// receiver that is down for long is asked about once an hour and gets everything once it is back.
public struct Backoff: Sendable, Equatable {
    public var baseMs: Int64
    public var capMs: Int64

    public init(baseMs: Int64 = 1_000, capMs: Int64 = 3_600_000) {
        self.baseMs = max(1, baseMs)
        self.capMs = max(self.baseMs, capMs)
    }

    /// The wait after the `failures`-th failed attempt in a row (1 for the first).
    public func delayMs(afterFailures failures: Int) -> Int64 {
        let doublings = min(max(failures - 1, 0), 40)
        let (delay, overflow) = baseMs.multipliedReportingOverflow(by: Int64(1) << doublings)
        return overflow ? capMs : min(delay, capMs)
    }
}
