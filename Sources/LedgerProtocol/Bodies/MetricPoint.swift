/// One metric measurement. Packed as 24 bytes: step (int64), timestamp in Unix ms (int64) and value
/// (IEEE 754 binary64), each big-endian, so values are exact and never pass through decimal text.
public struct MetricPoint: Sendable, Equatable, Hashable, Codable {
    public static let packedSize = 24

    public var step: Int64
    public var timestamp: Int64
    public var value: Double

    public init(step: Int64, timestamp: Int64, value: Double) {
        self.step = step
        self.timestamp = timestamp
        self.value = value
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
        if let points = bytes.withContiguousStorageIfAvailable({ unpack(UnsafeRawBufferPointer($0)) }) { return points }
        return unpack(Array(bytes))
    }

    /// Reads whole 64-bit words: a million points (a long training run) decode in milliseconds.
    static func unpack(_ raw: UnsafeRawBufferPointer) -> [MetricPoint] {
        let count = raw.count / packedSize
        return [MetricPoint](unsafeUninitializedCapacity: count) { buffer, initialized in
            for k in 0..<count {
                let base = k * packedSize
                buffer.initializeElement(
                    at: k,
                    to: MetricPoint(
                        step: Int64(bigEndian: raw.loadUnaligned(fromByteOffset: base, as: Int64.self)),
                        timestamp: Int64(bigEndian: raw.loadUnaligned(fromByteOffset: base + 8, as: Int64.self)),
                        value: Double(bitPattern: UInt64(bigEndian: raw.loadUnaligned(fromByteOffset: base + 16, as: UInt64.self)))))
            }
            initialized = count
        }
    }
}
