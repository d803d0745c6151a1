import Foundation
import LedgerModel
import LedgerProtocol
import LedgerStore

/// The bodies of log-metric and log-batch as MLflow's client sends them (protobuf JSON: int64 as a
/// number or a string, floats as numbers or "NaN"/"Infinity"/"-Infinity"), decoded exactly.
public enum LoggingBody {
    struct Metric: Decodable {
        var runID: String?
        var runUUID: String?
        var key: String
        var value: Number<Double>?
        var timestamp: Number<Int64>?
        var step: Number<Int64>?

        enum CodingKeys: String, CodingKey {
            case runID = "run_id"
            case runUUID = "run_uuid"
            case key, value, timestamp, step
        }
    }

    struct KeyValue: Decodable {
        var key: String
        var value: String?
    }

    struct Batch: Decodable {
        var runID: String?
        var metrics: [Metric]?
        var params: [KeyValue]?
        var tags: [KeyValue]?

        enum CodingKeys: String, CodingKey {
            case runID = "run_id"
            case metrics, params, tags
        }
    }

    /// A protobuf JSON number: a JSON number (the common case, decoded first) or the same as text.
    public struct Number<T: LosslessStringConvertible & Decodable & Sendable>: Decodable, Sendable {
        public var value: T
        public init(from decoder: Decoder) throws {
            let c = try decoder.singleValueContainer()
            if let v = try? c.decode(T.self) {
                value = v
                return
            }
            let text = try c.decode(String.self)
            if let d = LoggingBody.nonFinite[text] as? T {
                value = d
                return
            }
            guard let v = T(text) else {
                throw DecodingError.dataCorruptedError(in: c, debugDescription: "'\(text)' is not a number")
            }
            value = v
        }
    }

    /// How protobuf JSON writes the floats JSON has no numbers for.
    static let nonFinite: [String: Double] = ["NaN": .nan, "Infinity": .infinity, "-Infinity": -.infinity]

    static func decode<T: Decodable>(_ type: T.Type, _ body: [UInt8]) throws(MLflowError) -> T {
        do { return try JSONDecoder().decode(type, from: Data(body)) } catch {
            throw .invalid("Invalid request body: \(Self.explain(error))")
        }
    }

    static func runID(_ text: String?) throws(MLflowError) -> String {
        guard let text, !text.isEmpty else {
            throw .invalid("Missing value for required parameter 'run_id'. See the API docs for more information about request parameters.")
        }
        return text
    }

    /// Metric points by key; a missing step is 0 and a missing timestamp is now, as in MLflow.
    static func series(_ metrics: [Metric]) throws(MLflowError) -> [String: [MetricPoint]] {
        var series = [String: [MetricPoint]]()
        let now = Int64(wallClockMs())
        for m in metrics {
            guard !m.key.isEmpty else { throw .invalid("Missing value for required parameter 'key' of a metric") }
            guard let value = m.value?.value else { throw .invalid("Missing value for required parameter 'value' of metric '\(m.key)'") }
            series[m.key, default: []].append(MetricPoint(step: m.step?.value ?? 0, timestamp: m.timestamp?.value ?? now, value: value))
        }
        return series
    }

    /// Which field was wrong, in words, from a decoding error.
    static func explain(_ error: Error) -> String {
        switch error as? DecodingError {
        case .keyNotFound(let key, let c)?: "missing '\((c.codingPath + [key]).map(\.stringValue).joined(separator: "."))'"
        case .typeMismatch(_, let c)?, .valueNotFound(_, let c)?, .dataCorrupted(let c)?:
            "'\(c.codingPath.map(\.stringValue).joined(separator: "."))': \(c.debugDescription)"
        default: "the body is not a JSON object"
        }
    }
}
