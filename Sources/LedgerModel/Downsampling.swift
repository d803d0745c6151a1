import LedgerProtocol

/// Largest-Triangle-Three-Buckets downsampling (Steinarsson, 2013): keeps the first and last points and,
/// from each bucket between them, the point that forms the largest triangle with its neighbours' choices.
/// A million-point series drawn from a thousand points keeps its peaks, dips and shape.
public enum Downsampling {
    public static func lttb(_ points: [MetricPoint], threshold: Int) -> [MetricPoint] {
        let data = points.filter { $0.value.isFinite }
        guard threshold >= 3, data.count > threshold else { return data }
        var sampled = [data[0]]
        sampled.reserveCapacity(threshold)
        let bucketSize = Double(data.count - 2) / Double(threshold - 2)
        var chosen = 0
        for bucket in 0..<(threshold - 2) {
            let start = Int(Double(bucket) * bucketSize) + 1
            let end = min(Int(Double(bucket + 1) * bucketSize) + 1, data.count - 1)
            // The average of the next bucket stands in for the point not chosen yet.
            let nextStart = end
            let nextEnd = min(Int(Double(bucket + 2) * bucketSize) + 1, data.count)
            var avgX = 0.0
            var avgY = 0.0
            for p in data[nextStart..<max(nextStart + 1, nextEnd)] {
                avgX += Double(p.step)
                avgY += p.value
            }
            let n = Double(max(1, nextEnd - nextStart))
            avgX /= n
            avgY /= n
            let a = data[chosen]
            var best = start
            var bestArea = -1.0
            for i in start..<max(start + 1, end) {
                let p = data[i]
                let area = abs((Double(a.step) - avgX) * (p.value - a.value) - (Double(a.step) - Double(p.step)) * (avgY - a.value))
                if area > bestArea {
                    bestArea = area
                    best = i
                }
            }
            sampled.append(data[best])
            chosen = best
        }
        sampled.append(data[data.count - 1])
        return sampled
    }
}
