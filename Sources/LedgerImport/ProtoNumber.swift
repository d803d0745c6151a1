import LedgerMLflow

/// A protobuf JSON number as MLflow's REST API writes it: a JSON number, or the same as text
/// ("NaN", "Infinity", "-Infinity" for floats; int64 as a string).
struct ProtoNumber<T: LosslessStringConvertible & Decodable & Sendable>: Decodable, Sendable {
    var value: T

    init(from decoder: Decoder) throws {
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
        guard let v = T(text) else { throw DecodingError.dataCorruptedError(in: c, debugDescription: "'\(text)' is not a number") }
        value = v
    }
}
