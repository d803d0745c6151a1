/// One metric measurement. Packed as 24 bytes: step (int64), timestamp in Unix ms (int64) and value
/// (IEEE 754 binary64), each big-endian, so values are exact and never pass through decimal text.
public struct MetricPoint: Sendable, Equatable, Hashable, Codable {
    public static let packedSize = 24

    public var step: Int64
    public var timestamp: Int64
    public var value: Double

    public init(step: Int64, timestamp: Int64, value: Double) {
        self.step = step; self.timestamp = timestamp; self.value = value
    }

    public static func pack(_ points: [MetricPoint]) -> [UInt8] {
        var out = [UInt8]()
        out.reserveCapacity(points.count * packedSize)
        for p in points {
            out.appendBigEndian(UInt64(bitPattern: p.step))
            out.appendBigEndian(UInt64(bitPattern: p.timestamp))
            out.appendBigEndian(p.value.bitPattern)
        }
        return out
    }

    /// Nil when the length is not a whole number of points.
    public static func unpack<C: RandomAccessCollection>(_ bytes: C) -> [MetricPoint]? where C.Element == UInt8, C.Index == Int {
        guard bytes.count % packedSize == 0 else { return nil }
        var points = [MetricPoint]()
        points.reserveCapacity(bytes.count / packedSize)
        var i = bytes.startIndex
        func word() -> UInt64 {
            var v: UInt64 = 0
            for k in 0..<8 { v = v << 8 | UInt64(bytes[i + k]) }
            i += 8
            return v
        }
        while i < bytes.endIndex {
            let step = Int64(bitPattern: word())
            let ts = Int64(bitPattern: word())
            let value = Double(bitPattern: word())
            points.append(MetricPoint(step: step, timestamp: ts, value: value))
        }
        return points
    }
}
