import Foundation

/// The fields of one MLflow request: the JSON body of a POST/PATCH/DELETE merged with the query string
/// (GET requests carry their fields there). Accessors accept what protobuf JSON allows: int64 as a
/// number or a string, and floats as numbers or "NaN"/"Infinity"/"-Infinity".
public struct MLflowRequest {
    public var fields: [String: Any]

    public init(fields: [String: Any]) { self.fields = fields }

    /// Parses a body (empty is allowed) and query items (a repeated key becomes a list).
    public init(body: [UInt8], query: [(String, String)]) throws(MLflowError) {
        var fields = [String: Any]()
        for (key, value) in query {
            if let existing = fields[key] {
                fields[key] = ((existing as? [String]) ?? [existing as? String ?? ""]) + [value]
            } else {
                fields[key] = value
            }
        }
        if body.contains(where: { !($0 == 0x20 || $0 == 0x0a || $0 == 0x0d || $0 == 0x09) }) {
            // Read exactly (JSONSerialization on Linux rounds some doubles in their last digit).
            let value: Any? = try? JSONReader.read(body) { (r) throws(JSONReader.Failure) -> Any in try r.any() }
            guard let map = value as? [String: Any] else {
                throw .invalid("the request body is not a JSON object")
            }
            if let error = Translation.wrongType(in: map) { throw error }
            fields.merge(map) { _, body in body }
        }
        self.fields = fields
    }

    public func string(_ key: String) -> String? {
        switch fields[key] {
        case let s as String: s
        case let n as NSNumber: n.stringValue
        default: nil
        }
    }

    /// A required text field; MLflow's message when it is missing.
    public func required(_ key: String) throws(MLflowError) -> String {
        guard let value = string(key), !value.isEmpty else { throw .missing(key) }
        return value
    }

    public func int64(_ key: String) throws(MLflowError) -> Int64? {
        switch fields[key] {
        case nil, is NSNull: return nil
        case let s as String:
            guard let v = Int64(s) else { throw .invalid("'\(key)' must be an integer, not '\(s)'") }
            return v
        case let n as NSNumber:
            guard n.doubleValue.rounded() == n.doubleValue else { throw .invalid("'\(key)' must be an integer") }
            return n.int64Value
        default: throw .invalid("'\(key)' must be an integer")
        }
    }

    public func double(_ key: String) throws(MLflowError) -> Double? {
        switch fields[key] {
        case nil, is NSNull: return nil
        case let n as NSNumber: return n.doubleValue
        case let s as String:
            guard let v = LoggingBody.nonFinite[s] ?? Double(s) else { throw .invalid("'\(key)' must be a number, not '\(s)'") }
            return v
        default: throw .invalid("'\(key)' must be a number")
        }
    }

    public func bool(_ key: String) -> Bool {
        switch fields[key] {
        case let b as Bool: b
        case let n as NSNumber: n.boolValue
        case let s as String: s.lowercased() == "true"
        default: false
        }
    }

    /// A list of objects (metrics, params, tags), each as a request of its own.
    public func objects(_ key: String) throws(MLflowError) -> [MLflowRequest] {
        switch fields[key] {
        case nil, is NSNull: return []
        case let list as [Any]:
            var out = [MLflowRequest]()
            for item in list {
                guard let map = item as? [String: Any] else { throw .invalid("each entry of '\(key)' must be an object") }
                out.append(MLflowRequest(fields: map))
            }
            return out
        default: throw .invalid("'\(key)' must be a list")
        }
    }

    /// A list of strings, also from a single value or a repeated query key.
    public func strings(_ key: String) -> [String] {
        switch fields[key] {
        case let s as String: [s]
        case let list as [Any]: list.compactMap { $0 as? String ?? ($0 as? NSNumber)?.stringValue }
        default: []
        }
    }

    /// `key`/`value` pairs of a list of tags or params, in order.
    public func pairs(_ key: String) throws(MLflowError) -> [(key: String, value: String)] {
        var out = [(key: String, value: String)]()
        for item in try objects(key) {
            out.append((try item.required("key"), item.string("value") ?? ""))
        }
        return out
    }
}
