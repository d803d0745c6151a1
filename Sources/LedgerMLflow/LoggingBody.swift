import Foundation
import LedgerModel
import LedgerProtocol
import LedgerStore

/// The bodies of log-metric and log-batch as MLflow's client sends them (protobuf JSON: int64 as a
/// number or a string, floats as numbers or "NaN"/"Infinity"/"-Infinity"), read field by field in one
/// pass over the bytes (`JSONReader`): these are the calls a training loop makes thousands of times.
/// Every number is converted once from its text, so a value reads back bit for bit as it was logged.
public enum LoggingBody {
    struct Metric: Equatable {
        var runID: String?
        var runUUID: String?
        var key: String?
        var value: Double?
        var timestamp: Int64?
        var step: Int64?
    }

    struct KeyValue: Equatable {
        var key: String?
        var value: String?
    }

    struct Batch: Equatable {
        var runID: String?
        var metrics = [Metric]()
        var params = [KeyValue]()
        var tags = [KeyValue]()
    }

    /// A log-metric body (`run_uuid` is the older name of `run_id`).
    static func metric(_ body: [UInt8]) throws(MLflowError) -> Metric {
        try read(body, metric)
    }

    static func batch(_ body: [UInt8]) throws(MLflowError) -> Batch {
        try read(body) { (r) throws(JSONReader.Failure) in
            var batch = Batch()
            try r.object { (r, field) throws(JSONReader.Failure) in
                switch field {
                case "run_id": batch.runID = try optional(&r, string)
                case "metrics": try list(&r) { (r) throws(JSONReader.Failure) in batch.metrics.append(try metric(&r)) }
                case "params": try list(&r) { (r) throws(JSONReader.Failure) in batch.params.append(try keyValue(&r)) }
                case "tags": try list(&r) { (r) throws(JSONReader.Failure) in batch.tags.append(try keyValue(&r)) }
                default: try r.skip()
                }
            }
            return batch
        }
    }

    static func runID(_ text: String?) throws(MLflowError) -> String {
        guard let text, !text.isEmpty else { throw .missing("run_id") }
        return text
    }

    /// Metric points by key; a missing step is 0; a batch point's missing timestamp is now.
    static func series(_ metrics: [Metric]) throws(MLflowError) -> [String: [MetricPoint]] {
        var series = [String: [MetricPoint]]()
        let now = Int64(wallClockMs())
        for m in metrics {
            guard let key = m.key, !key.isEmpty else { throw .invalid("Missing value for required parameter 'key' of a metric") }
            guard let value = m.value else { throw .invalid("Missing value for required parameter 'value' of metric '\(key)'") }
            series[key, default: []].append(MetricPoint(step: m.step ?? 0, timestamp: m.timestamp ?? now, value: value))
        }
        return series
    }

    /// `key`/`value` pairs of params or tags, in order; a missing value is empty, as in MLflow.
    static func pairs(_ items: [KeyValue], of what: String) throws(MLflowError) -> [(key: String, value: String)] {
        var out = [(key: String, value: String)]()
        out.reserveCapacity(items.count)
        for item in items {
            guard let key = item.key, !key.isEmpty else { throw .invalid("Missing value for required parameter 'key' of a \(what)") }
            out.append((key, item.value ?? ""))
        }
        return out
    }

    /// How protobuf JSON writes the floats JSON has no numbers for.
    public static let nonFinite: [String: Double] = ["NaN": .nan, "Infinity": .infinity, "-Infinity": -.infinity]

    // MARK: - Fields

    private static func read<T>(_ body: [UInt8], _ read: (inout JSONReader) throws(JSONReader.Failure) -> T) throws(MLflowError) -> T {
        do { return try JSONReader.read(body, read) } catch { throw .invalid("Invalid request body: \(error.description)") }
    }

    private static func metric(_ r: inout JSONReader) throws(JSONReader.Failure) -> Metric {
        var m = Metric()
        try r.object { (r, field) throws(JSONReader.Failure) in
            switch field {
            case "key": m.key = try optional(&r, string)
            case "value": m.value = try optional(&r, double)
            case "timestamp": m.timestamp = try optional(&r, int64)
            case "step": m.step = try optional(&r, int64)
            case "run_id": m.runID = try optional(&r, string)
            case "run_uuid": m.runUUID = try optional(&r, string)
            default: try r.skip()
            }
        }
        return m
    }

    private static func keyValue(_ r: inout JSONReader) throws(JSONReader.Failure) -> KeyValue {
        var kv = KeyValue()
        try r.object { (r, field) throws(JSONReader.Failure) in
            switch field {
            case "key": kv.key = try optional(&r, string)
            case "value": kv.value = try optional(&r, string)
            default: try r.skip()
            }
        }
        return kv
    }

    /// A list, or null for none.
    private static func list(_ r: inout JSONReader, _ element: (inout JSONReader) throws(JSONReader.Failure) -> Void) throws(JSONReader.Failure) {
        if r.null() { return }
        try r.array { (r, _) throws(JSONReader.Failure) in try element(&r) }
    }

    /// A field's value, or nil for null (protobuf JSON's absent field).
    private static func optional<T>(
        _ r: inout JSONReader, _ read: (inout JSONReader) throws(JSONReader.Failure) -> T
    ) throws(JSONReader.Failure) -> T? {
        r.null() ? nil : try read(&r)
    }

    private static func string(_ r: inout JSONReader) throws(JSONReader.Failure) -> String { try r.string() }

    /// A protobuf JSON double: a number, or the same as text, or "NaN"/"Infinity"/"-Infinity".
    private static func double(_ r: inout JSONReader) throws(JSONReader.Failure) -> Double {
        guard r.atString() else { return try r.double() }
        let text = try r.string()
        guard let v = nonFinite[text] ?? Double(text) else { throw JSONReader.Failure(path: [], message: "'\(text)' is not a number") }
        return v
    }

    /// A protobuf JSON int64: a number, or the same as text.
    private static func int64(_ r: inout JSONReader) throws(JSONReader.Failure) -> Int64 {
        guard r.atString() else { return try r.int64() }
        let text = try r.string()
        guard let v = Int64(text) else { throw JSONReader.Failure(path: [], message: "'\(text)' is not a 64-bit integer") }
        return v
    }
}
