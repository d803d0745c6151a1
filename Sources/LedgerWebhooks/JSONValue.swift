import LedgerProtocol

/// A JSON document written byte for byte by us: keys sorted, numbers exact (Swift's shortest round-trip
/// form for doubles), strings escaped per RFC 8259. Payloads are signed as written, so nothing re-encodes them.
public indirect enum JSONValue: Sendable, Equatable {
    case string(String)
    case int(Int64)
    case double(Double)
    case bool(Bool)
    case null
    case array([JSONValue])
    case object([String: JSONValue])

    /// A CBOR body field as JSON: byte strings (ids, hashes) become lowercase hex.
    public init(_ cbor: CBOR) {
        switch cbor {
        case .unsigned(let u): self = u <= UInt64(Int64.max) ? .int(Int64(u)) : .string(String(u))
        case .negative(let n): self = n < UInt64(Int64.max) ? .int(-1 - Int64(n)) : .string("-\(n)-1")
        case .bytes(let b): self = .string(Hex.encode(b))
        case .text(let s): self = .string(s)
        case .array(let items): self = .array(items.map(JSONValue.init))
        case .map(let fields): self = .object(fields.mapValues(JSONValue.init))
        case .bool(let b): self = .bool(b)
        case .null: self = .null
        case .double(let d): self = .double(d)
        }
    }

    public var bytes: [UInt8] {
        var out = [UInt8]()
        write(into: &out)
        return out
    }

    func write(into out: inout [UInt8]) {
        switch self {
        case .string(let s): Self.writeString(s, into: &out)
        case .int(let i): out.append(contentsOf: String(i).utf8)
        // JSON has no NaN or infinities: they are written as strings, as the CLI's --json does.
        case .double(let d): out.append(contentsOf: d.isFinite ? String(d).utf8 : "\"\(d.isNaN ? "NaN" : d > 0 ? "Infinity" : "-Infinity")\"".utf8)
        case .bool(let b): out.append(contentsOf: (b ? "true" : "false").utf8)
        case .null: out.append(contentsOf: "null".utf8)
        case .array(let items):
            out.append(UInt8(ascii: "["))
            for (i, item) in items.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                item.write(into: &out)
            }
            out.append(UInt8(ascii: "]"))
        case .object(let fields):
            out.append(UInt8(ascii: "{"))
            for (i, key) in fields.keys.sorted(by: { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }).enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                Self.writeString(key, into: &out)
                out.append(UInt8(ascii: ":"))
                fields[key]?.write(into: &out)
            }
            out.append(UInt8(ascii: "}"))
        }
    }

    private static func writeString(_ s: String, into out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        for byte in s.utf8 {
            switch byte {
            case UInt8(ascii: "\""): out.append(contentsOf: #"\""#.utf8)
            case UInt8(ascii: "\\"): out.append(contentsOf: #"\\"#.utf8)
            case 0x0a: out.append(contentsOf: #"\n"#.utf8)
            case 0x0d: out.append(contentsOf: #"\r"#.utf8)
            case 0x09: out.append(contentsOf: #"\t"#.utf8)
            case 0..<0x20:
                let hex = Array("0123456789abcdef".utf8)
                out.append(contentsOf: #"\u00"#.utf8)
                out.append(hex[Int(byte >> 4)])
                out.append(hex[Int(byte & 0xf)])
            default: out.append(byte)
            }
        }
        out.append(UInt8(ascii: "\""))
    }
}
