/// Typed, strict access to the fields of a body map. Every failure names the field, so an invalid
/// event's rejection tells its author exactly what to fix.
public struct Fields: Sendable {
    let kind: EventKind
    let map: [String: CBOR]

    func fail(_ reason: String) -> EventError { .invalidBody(kind: kind.rawValue, reason: reason) }

    func optional(_ key: String) -> CBOR? {
        if case .null? = map[key] { return nil }
        return map[key]
    }

    func required(_ key: String) throws(EventError) -> CBOR {
        guard let v = optional(key) else { throw fail("missing field '\(key)'") }
        return v
    }

    func text(_ key: String, maxLength: Int = 256, allowEmpty: Bool = false) throws(EventError) -> String {
        guard case .text(let s) = try required(key) else { throw fail("'\(key)' must be text") }
        return try checked(s, key, maxLength: maxLength, allowEmpty: allowEmpty)
    }

    func optionalText(_ key: String, maxLength: Int = 256) throws(EventError) -> String? {
        guard optional(key) != nil else { return nil }
        return try text(key, maxLength: maxLength, allowEmpty: true)
    }

    /// Text that must say something: not empty and not only whitespace (reasons, comments, names).
    func meaningfulText(_ key: String, maxLength: Int) throws(EventError) -> String {
        let s = try text(key, maxLength: maxLength)
        // Unicode scalars, not characters: a combining mark on a space is not blank.
        guard s.unicodeScalars.contains(where: { !$0.properties.isWhitespace }) else { throw fail("'\(key)' must not be blank") }
        return s
    }

    /// A name that identifies something (an alias, a model or experiment name): meaningful text in NFC.
    func identifier(_ key: String, maxLength: Int) throws(EventError) -> String {
        try nfc(meaningfulText(key, maxLength: maxLength), key)
    }

    /// Refuses text whose bytes are not its NFC form (see `String.isNFC`).
    func nfc(_ s: String, _ key: String) throws(EventError) -> String {
        guard s.isNFC else { throw fail("'\(key)' must be in Unicode NFC form") }
        return s
    }

    func checked(_ s: String, _ key: String, maxLength: Int, allowEmpty: Bool) throws(EventError) -> String {
        if !allowEmpty && s.isEmpty { throw fail("'\(key)' must not be empty") }
        if s.utf8.count > maxLength { throw fail("'\(key)' is longer than \(maxLength) bytes") }
        return s
    }

    func id(_ key: String) throws(EventError) -> LedgerID {
        guard case .bytes(let b) = try required(key), let id = LedgerID(bytes: b) else {
            throw fail("'\(key)' must be a 32-byte id")
        }
        return id
    }

    func optionalID(_ key: String) throws(EventError) -> LedgerID? {
        guard optional(key) != nil else { return nil }
        return try id(key)
    }

    func publicKey(_ key: String) throws(EventError) -> PublicKey {
        guard case .bytes(let b) = try required(key), let pk = PublicKey(bytes: b) else {
            throw fail("'\(key)' must be a 32-byte public key")
        }
        return pk
    }

    func bool(_ key: String) throws(EventError) -> Bool? {
        guard let v = optional(key) else { return nil }
        guard case .bool(let b) = v else { throw fail("'\(key)' must be true or false") }
        return b
    }

    func int(_ key: String) throws(EventError) -> Int64? {
        guard let v = optional(key) else { return nil }
        guard let i = v.int64 else { throw fail("'\(key)' must be an integer") }
        return i
    }

    func optionalUnsigned(_ key: String) throws(EventError) -> UInt64? {
        guard optional(key) != nil else { return nil }
        return try unsigned(key)
    }

    func unsigned(_ key: String) throws(EventError) -> UInt64 {
        guard case .unsigned(let u) = try required(key) else { throw fail("'\(key)' must be an unsigned integer") }
        return u
    }

    func textMap(_ key: String, maxValueLength: Int) throws(EventError) -> [String: String] {
        guard case .map(let m) = try required(key), !m.isEmpty else { throw fail("'\(key)' must be a non-empty map") }
        var out = [String: String]()
        for (k, v) in m {
            guard case .text(let s) = v else { throw fail("'\(key).\(k)' must be text") }
            out[try nfc(checked(k, "\(key) key", maxLength: 250, allowEmpty: false), "\(key) key")] =
                try checked(s, "\(key).\(k)", maxLength: maxValueLength, allowEmpty: true)
        }
        return out
    }

    /// A `textMap` that may be absent (read as empty).
    func optionalTextMap(_ key: String, maxValueLength: Int) throws(EventError) -> [String: String] {
        guard optional(key) != nil else { return [:] }
        return try textMap(key, maxValueLength: maxValueLength)
    }

    /// A 64-bit float (`0xfb`): any bit pattern; callers refuse what their field cannot mean.
    func double(_ key: String) throws(EventError) -> Double {
        guard case .double(let d) = try required(key) else { throw fail("'\(key)' must be a 64-bit float") }
        return d
    }

    func optionalDouble(_ key: String) throws(EventError) -> Double? {
        guard optional(key) != nil else { return nil }
        return try double(key)
    }

    func optionalMeaningfulText(_ key: String, maxLength: Int) throws(EventError) -> String? {
        guard optional(key) != nil else { return nil }
        return try meaningfulText(key, maxLength: maxLength)
    }

    /// Named metric series of packed points (SPEC 6.9): a non-empty map, keys in NFC, each a non-empty series.
    func series(_ key: String) throws(EventError) -> [String: [MetricPoint]] {
        guard case .map(let m) = try required(key), !m.isEmpty else { throw fail("'\(key)' must be a non-empty map") }
        var series = [String: [MetricPoint]]()
        for (name, value) in m {
            _ = try nfc(checked(name, "metric key", maxLength: 250, allowEmpty: false), "metric key")
            guard case .bytes(let packed) = value, let points = MetricPoint.unpack(packed), !points.isEmpty else {
                throw fail("series '\(name)' must be a non-empty multiple of \(MetricPoint.packedSize) bytes")
            }
            series[name] = points
        }
        return series
    }

    func array(_ key: String) throws(EventError) -> [CBOR] {
        guard let v = optional(key) else { return [] }
        guard case .array(let a) = v else { throw fail("'\(key)' must be an array") }
        return a
    }
}

extension Dictionary where Key == String, Value == CBOR {
    /// Adds `value` under `key` unless it is nil, so optional fields are simply absent.
    mutating func set(_ key: String, _ value: CBOR?) {
        if let value { self[key] = value }
    }
}
