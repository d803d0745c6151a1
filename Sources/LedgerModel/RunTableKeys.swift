/// The runs table's comparisons as plain values, so a database can filter and sort with exactly the
/// rules `RunTable.page` and `RunFilter.matches` apply to runs in memory.
extension RunTable.Value {
    /// Bytes whose bytewise order is this value's order: a tag (numbers before text), then the number's
    /// IEEE total order (negative zero read as zero, which `==` calls equal) or the text's UTF-8.
    public var orderKey: [UInt8] {
        switch self {
        case .number(let x):
            let bits = (x == 0 ? 0.0 : x).bitPattern
            let ordered = bits >> 63 == 1 ? ~bits : bits | (1 << 63)
            return [0] + (0..<8).map { UInt8(truncatingIfNeeded: ordered >> (56 - 8 * UInt64($0))) }
        case .text(let s): return [1] + Array(s.utf8)
        }
    }

    public var number: Double? {
        if case .number(let x) = self { return x }
        return nil
    }

    public var text: String? {
        if case .text(let s) = self { return s }
        return nil
    }

    /// A param's, tag's or run field's value: a number when the text reads as one.
    public init(text: String) {
        self = Double(text).map(Self.number) ?? .text(text)
    }
}

extension RunFilter.Clause {
    /// Whether a metric's last value passes this clause (a missing metric never does).
    public func matches(number: Double?) -> Bool {
        guard let number, let target = Double(value) else { return false }
        return RunFilter.compare(number, target, op)
    }
}
