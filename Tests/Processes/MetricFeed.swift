import Foundation

/// Streams metric JSON lines (`{"key": KEY, "value": ..., "step": n}`, steps from 1) into a pipe on a
/// thread of its own, in bursts of 1 to 40 lines with short pauses, like a training loop, until the
/// reader goes away. Ignore SIGPIPE before starting one.
public enum MetricFeed {
    public static func start(into handle: FileHandle, key: String) {
        Thread.detachNewThread {
            var step = 0
            while true {
                var chunk = ""
                for _ in 0..<Int.random(in: 1...40) {
                    step += 1
                    chunk += "{\"key\":\"\(key)\",\"value\":\(Double(step) / 7),\"step\":\(step)}\n"
                }
                do { try handle.write(contentsOf: Data(chunk.utf8)) } catch { return }
                usleep(UInt32.random(in: 200...3000))
            }
        }
    }
}
