/// A CBOR data item in the subset the ledger uses for event bodies.
///
/// Bodies are deterministic CBOR (RFC 8949 section 4.2.1) with two profile rules that keep every value
/// one byte sequence: map keys are text, and floats are always 64-bit (`0xfb`). Signatures cover the
/// stored bytes, so the encoder exists to write new events; verifiers never re-encode.
public indirect enum CBOR: Hashable, Sendable {
    case unsigned(UInt64)
    /// The negative integer `-1 - n`.
    case negative(UInt64)
    case bytes([UInt8])
    case text(String)
    case array([CBOR])
    case map([String: CBOR])
    case bool(Bool)
    case null
    case double(Double)

    public static func int(_ value: Int64) -> CBOR {
        value >= 0 ? .unsigned(UInt64(value)) : .negative(UInt64(-(value + 1)))
    }

    public var int64: Int64? {
        switch self {
        case .unsigned(let u) where u <= UInt64(Int64.max): return Int64(u)
        case .negative(let n) where n <= UInt64(Int64.max): return -1 - Int64(n)
        default: return nil
        }
    }
}

// MARK: - Encoding

extension CBOR {
    /// The deterministic encoding of this item.
    public func encoded() -> [UInt8] {
        var out = [UInt8]()
        encode(into: &out)
        return out
    }

    public func encode(into out: inout [UInt8]) {
        switch self {
        case .unsigned(let u): Self.appendHead(major: 0, u, into: &out)
        case .negative(let n): Self.appendHead(major: 1, n, into: &out)
        case .bytes(let b):
            Self.appendHead(major: 2, UInt64(b.count), into: &out)
            out.append(contentsOf: b)
        case .text(let s):
            Self.appendText(s, into: &out)
        case .array(let items):
            Self.appendHead(major: 4, UInt64(items.count), into: &out)
            for item in items { item.encode(into: &out) }
        case .map(let fields):
            Self.appendHead(major: 5, UInt64(fields.count), into: &out)
            let keyed = fields.map { (key: Self.encodedText($0.key), value: $0.value) }
            for entry in keyed.sorted(by: { $0.key.lexicographicallyPrecedes($1.key) }) {
                out.append(contentsOf: entry.key)
                entry.value.encode(into: &out)
            }
        case .bool(let b): out.append(b ? 0xf5 : 0xf4)
        case .null: out.append(0xf6)
        case .double(let d):
            out.append(0xfb)
            out.appendBigEndian(d.bitPattern)
        }
    }

    static func encodedText(_ s: String) -> [UInt8] {
        var out = [UInt8]()
        appendText(s, into: &out)
        return out
    }

    private static func appendText(_ s: String, into out: inout [UInt8]) {
        let utf8 = Array(s.utf8)
        appendHead(major: 3, UInt64(utf8.count), into: &out)
        out.append(contentsOf: utf8)
    }

    /// Writes a head in its shortest form, as deterministic encoding requires.
    static func appendHead(major: UInt8, _ value: UInt64, into out: inout [UInt8]) {
        let m = major << 5
        switch value {
        case 0..<24: out.append(m | UInt8(value))
        case 24...0xff:
            out.append(m | 24)
            out.append(UInt8(value))
        case 0x100...0xffff:
            out.append(m | 25)
            out.append(UInt8(value >> 8))
            out.append(UInt8(truncatingIfNeeded: value))
        case 0x1_0000...0xffff_ffff:
            out.append(m | 26)
            out.appendBigEndian(UInt32(value))
        default:
            out.append(m | 27)
            out.appendBigEndian(value)
        }
    }
}

// MARK: - Decoding

/// Why a body is not valid deterministic CBOR in the ledger's profile.
public struct CBORError: Error, Equatable, Sendable, CustomStringConvertible {
    public let reason: String
    public let offset: Int
    public var description: String { "\(reason) at byte \(offset)" }
}

extension CBOR {
    /// The deepest nesting a body may have; deeper input is rejected, not recursed into.
    public static let maxDepth = 16

    /// Decodes exactly one item that spans all of `bytes`, rejecting anything not deterministic.
    public static func decode(_ bytes: [UInt8]) throws(CBORError) -> CBOR {
        var decoder = Decoder(bytes: bytes)
        let value = try decoder.item(depth: 0)
        guard decoder.offset == bytes.count else {
            throw CBORError(reason: "trailing bytes after the body", offset: decoder.offset)
        }
        return value
    }

    private struct Decoder {
        let bytes: [UInt8]
        var offset = 0

        mutating func fail(_ reason: String) -> CBORError { CBORError(reason: reason, offset: offset) }

        mutating func byte() throws(CBORError) -> UInt8 {
            guard offset < bytes.count else { throw fail("unexpected end of body") }
            defer { offset += 1 }
            return bytes[offset]
        }

        mutating func argument(_ info: UInt8) throws(CBORError) -> UInt64 {
            let width: Int
            switch info {
            case 0..<24: return UInt64(info)
            case 24: width = 1
            case 25: width = 2
            case 26: width = 4
            case 27: width = 8
            default: throw fail("indefinite or reserved length")
            }
            guard bytes.count - offset >= width else { throw fail("unexpected end of body") }
            var value: UInt64 = 0
            for _ in 0..<width {
                value = value << 8 | UInt64(bytes[offset])
                offset += 1
            }
            let minimum: UInt64 = [1: 24, 2: 0x100, 4: 0x1_0000, 8: 0x1_0000_0000][width] ?? 0
            guard value >= minimum else { throw fail("integer not in shortest form") }
            return value
        }

        mutating func length(_ info: UInt8) throws(CBORError) -> Int {
            let n = try argument(info)
            guard n <= UInt64(bytes.count - offset) else { throw fail("length beyond end of body") }
            return Int(n)
        }

        mutating func item(depth: Int) throws(CBORError) -> CBOR {
            guard depth <= CBOR.maxDepth else { throw fail("nesting deeper than \(CBOR.maxDepth)") }
            let initial = try byte()
            let major = initial >> 5
            let info = initial & 0x1f
            switch major {
            case 0: return .unsigned(try argument(info))
            case 1: return .negative(try argument(info))
            case 2:
                let n = try length(info)
                defer { offset += n }
                return .bytes(Array(bytes[offset..<offset + n]))
            case 3:
                return .text(try text(info))
            case 4:
                let n = try length(info)
                var items = [CBOR]()
                items.reserveCapacity(n)
                for _ in 0..<n { items.append(try item(depth: depth + 1)) }
                return .array(items)
            case 5:
                let n = try length(info)
                var fields = [String: CBOR](minimumCapacity: n)
                var previousKey: ArraySlice<UInt8>? = nil
                for _ in 0..<n {
                    let keyStart = offset
                    guard try byte() >> 5 == 3 else {
                        offset = keyStart
                        throw fail("map key is not text")
                    }
                    offset = keyStart
                    let keyInfo = try byte() & 0x1f
                    let key = try text(keyInfo)
                    let encodedKey = bytes[keyStart..<offset]
                    if let previousKey, !previousKey.lexicographicallyPrecedes(encodedKey) {
                        throw fail("map keys not in strictly increasing order")
                    }
                    previousKey = encodedKey
                    // Swift compares strings by canonical equivalence: distinct bytes can still collide.
                    guard fields[key] == nil else { throw fail("map keys are canonically equivalent text") }
                    fields[key] = try item(depth: depth + 1)
                }
                return .map(fields)
            case 7:
                switch info {
                case 20: return .bool(false)
                case 21: return .bool(true)
                case 22: return .null
                case 27:
                    guard bytes.count - offset >= 8 else { throw fail("unexpected end of body") }
                    var bits: UInt64 = 0
                    for _ in 0..<8 {
                        bits = bits << 8 | UInt64(bytes[offset])
                        offset += 1
                    }
                    return .double(Double(bitPattern: bits))
                default: throw fail("simple value or float width not allowed")
                }
            default:
                throw fail("tags are not allowed")
            }
        }

        mutating func text(_ info: UInt8) throws(CBORError) -> String {
            let n = try length(info)
            let slice = bytes[offset..<offset + n]
            guard let s = String(validating: slice, as: UTF8.self) else { throw fail("text is not valid UTF-8") }
            offset += n
            return s
        }
    }
}
