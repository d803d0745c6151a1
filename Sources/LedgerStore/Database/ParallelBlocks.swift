/// Splits work on `count` items into one contiguous block per worker, so workers never write to
/// neighbouring slots (interleaved slots share cache lines and slow every core down).
enum ParallelBlocks {
    static func range(_ worker: Int, of workers: Int, count: Int) -> Range<Int> {
        let size = (count + workers - 1) / workers
        return min(count, worker * size)..<min(count, (worker + 1) * size)
    }
}
