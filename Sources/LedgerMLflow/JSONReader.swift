import Foundation

/// A strict JSON reader over a request body's UTF-8 bytes, read in place: a route takes the fields it
/// knows as it meets them and skips the rest, with no tree of values in between. Numbers are converted
/// once from their text (correctly rounded, so a logged double reads back bit for bit), strings must be
/// valid UTF-8, and nesting is bounded, so a hostile body costs at most its size.
struct JSONReader {
    /// Why a body is not what was expected, and where (`metrics.3.value`).
    struct Failure: Error, Equatable, CustomStringConvertible {
        var path: [String]
        var message: String

        var description: String { path.isEmpty ? message : "'\(path.joined(separator: "."))': \(message)" }

        /// The same failure seen from the object or list that holds it.
        func inside(_ component: String) -> Failure { Failure(path: [component] + path, message: message) }
    }

    /// JSONDecoder's own limit: deeper bodies are refused rather than recursed into.
    static let maxDepth = 512

    private let bytes: [UInt8]
    private var index = 0
    private var depth = 0

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    // MARK: - Structure

    /// Reads a whole body with `read` and checks nothing but whitespace follows it.
    static func read<T>(_ bytes: [UInt8], _ read: (inout JSONReader) throws(Failure) -> T) throws(Failure) -> T {
        var reader = JSONReader(bytes)
        let value = try read(&reader)
        reader.skipWhitespace()
        guard reader.index == bytes.count else { throw reader.fail("unexpected text after the JSON value") }
        return value
    }

    /// A field name, compared with the names a route knows as bytes: no String is made for the five
    /// names of each of a batch's thousand metrics.
    struct Key: CustomStringConvertible {
        let utf8: ArraySlice<UInt8>

        var description: String { String(decoding: utf8, as: UTF8.self) }

        static func ~= (name: StaticString, key: Key) -> Bool {
            name.utf8CodeUnitCount == key.utf8.count && name.withUTF8Buffer { $0.elementsEqual(key.utf8) }
        }
    }

    /// Reads an object, handing each key to `field`, which must read or `skip()` its value.
    mutating func object(_ field: (inout JSONReader, Key) throws(Failure) -> Void) throws(Failure) {
        try expect(UInt8(ascii: "{"), "an object")
        try descend()
        if try !consume(UInt8(ascii: "}")) {
            repeat {
                skipWhitespace()
                guard peek() == UInt8(ascii: "\"") else { throw fail("expected a field name in quotes") }
                let key = Key(utf8: try stringUTF8())
                try expect(UInt8(ascii: ":"), "':' after a field name")
                do throws(Failure) { try field(&self, key) } catch { throw error.inside(key.description) }
            } while try consume(UInt8(ascii: ","))
            try expect(UInt8(ascii: "}"), "',' or '}' in an object")
        }
        depth -= 1
    }

    /// Reads a list, handing each position to `element`, which must read or `skip()` the value there.
    mutating func array(_ element: (inout JSONReader, Int) throws(Failure) -> Void) throws(Failure) {
        try expect(UInt8(ascii: "["), "a list")
        try descend()
        if try !consume(UInt8(ascii: "]")) {
            var position = 0
            repeat {
                do throws(Failure) { try element(&self, position) } catch { throw error.inside(String(position)) }
                position += 1
            } while try consume(UInt8(ascii: ","))
            try expect(UInt8(ascii: "]"), "',' or ']' in a list")
        }
        depth -= 1
    }

    /// Consumes a `null` if one comes next: protobuf JSON writes an absent field as null too.
    mutating func null() -> Bool {
        skipWhitespace()
        guard peek() == UInt8(ascii: "n"), follows(Self.nullWord) else { return false }
        index += Self.nullWord.count
        return true
    }

    /// Whether a string comes next (protobuf JSON also writes numbers as strings).
    mutating func atString() -> Bool {
        skipWhitespace()
        return peek() == UInt8(ascii: "\"")
    }

    /// Reads any value and forgets it (a field this route does not use).
    mutating func skip() throws(Failure) {
        _ = try value(keep: false)
    }

    /// Reads any value as JSONSerialization would give it: String, NSNumber, Bool, NSNull, [Any], [String: Any].
    mutating func any() throws(Failure) -> Any {
        try value(keep: true)
    }

    private mutating func value(keep: Bool) throws(Failure) -> Any {
        skipWhitespace()
        switch peek() {
        case UInt8(ascii: "{"):
            var map = [String: Any]()
            try object { (r, key) throws(Failure) in
                let v = try r.value(keep: keep)
                if keep { map[key.description] = v }
            }
            return map
        case UInt8(ascii: "["):
            var list = [Any]()
            try array { (r, _) throws(Failure) in
                let v = try r.value(keep: keep)
                if keep { list.append(v) }
            }
            return list
        case UInt8(ascii: "\""): return try string()
        case UInt8(ascii: "t"): return try word(Self.trueWord, true)
        case UInt8(ascii: "f"): return try word(Self.falseWord, false)
        case UInt8(ascii: "n"): return try word(Self.nullWord, NSNull())
        default:
            // As JSONDecoder read them: an integral number is an Int64 even when written 1.0 or 1e2.
            let token = try numberToken()
            guard keep else { return NSNull() }
            if token.isInteger, let i = integer(token) { return NSNumber(value: i) }
            let d = try double(token)
            if d.rounded() == d, let i = Int64(exactly: d) { return NSNumber(value: i) }
            return NSNumber(value: d)
        }
    }

    // MARK: - Scalars

    /// A JSON string, unescaped; invalid UTF-8 and lone surrogates are refused.
    mutating func string() throws(Failure) -> String {
        String(decoding: try stringUTF8(), as: UTF8.self)
    }

    /// A JSON string's UTF-8, unescaped and validated: in place in the body when it has no escapes.
    private mutating func stringUTF8() throws(Failure) -> ArraySlice<UInt8> {
        try expect(UInt8(ascii: "\""), "a string")
        let start = index
        var high: UInt8 = 0
        while index < bytes.count, bytes[index] != UInt8(ascii: "\""), bytes[index] != UInt8(ascii: "\\"), bytes[index] >= 0x20 {
            high |= bytes[index]
            index += 1
        }
        guard index < bytes.count else { throw fail("unterminated string") }
        if bytes[index] == UInt8(ascii: "\"") {
            index += 1
            // ASCII (metric keys, run ids) needs no validation.
            return high < 0x80 ? bytes[start..<index - 1] : try validated(bytes[start..<index - 1])
        }
        var out = Array(bytes[start..<index])
        while true {
            guard index < bytes.count else { throw fail("unterminated string") }
            let b = bytes[index]
            index += 1
            switch b {
            case UInt8(ascii: "\""): return try validated(out[...])
            case UInt8(ascii: "\\"): try unescape(into: &out)
            case ..<0x20: throw fail("control character in a string (escape it)")
            default: out.append(b)
            }
        }
    }

    /// A JSON number as a double, converted once from its text.
    mutating func double() throws(Failure) -> Double {
        try double(try numberToken())
    }

    /// A JSON number as an int64: an integer, or a number with a fraction or exponent that is one exactly.
    mutating func int64() throws(Failure) -> Int64 {
        let token = try numberToken()
        if token.isInteger, let i = integer(token) { return i }
        let d = try double(token)
        guard d.rounded() == d, let i = Int64(exactly: d) else { throw fail("\(tokenText(token)) is not a 64-bit integer") }
        return i
    }

    // MARK: - Tokens

    private static let trueWord = Array("true".utf8), falseWord = Array("false".utf8), nullWord = Array("null".utf8)

    /// Where a number's text is, and whether it has neither fraction nor exponent.
    private struct NumberToken {
        var range: Range<Int>
        var isInteger: Bool
    }

    /// Checks JSON's number grammar: -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?
    private mutating func numberToken() throws(Failure) -> NumberToken {
        skipWhitespace()
        let start = index
        _ = consumeRaw(UInt8(ascii: "-"))
        if consumeRaw(UInt8(ascii: "0")) {
            guard digits() == 0 else { throw fail("a number may not start with 0") }
        } else if digits() == 0 {
            throw fail(peek() == nil ? "unexpected end of the body" : "expected a value")
        }
        var isInteger = true
        if consumeRaw(UInt8(ascii: ".")) {
            guard digits() > 0 else { throw fail("expected digits after '.'") }
            isInteger = false
        }
        if consumeRaw(UInt8(ascii: "e")) || consumeRaw(UInt8(ascii: "E")) {
            _ = consumeRaw(UInt8(ascii: "+")) || consumeRaw(UInt8(ascii: "-"))
            guard digits() > 0 else { throw fail("expected digits in the exponent") }
            isInteger = false
        }
        return NumberToken(range: start..<index, isInteger: isInteger)
    }

    private mutating func digits() -> Int {
        let start = index
        while index < bytes.count, bytes[index] >= UInt8(ascii: "0"), bytes[index] <= UInt8(ascii: "9") { index += 1 }
        return index - start
    }

    /// The token's value when it is an integer that fits in an Int64.
    private func integer(_ token: NumberToken) -> Int64? {
        var i = token.range.lowerBound
        let negative = bytes[i] == UInt8(ascii: "-")
        if negative { i += 1 }
        var value: Int64 = 0
        while i < token.range.upperBound {
            let digit = Int64(bytes[i] - UInt8(ascii: "0"))
            let (shifted, o1) = value.multipliedReportingOverflow(by: 10)
            let (next, o2) = negative ? shifted.subtractingReportingOverflow(digit) : shifted.addingReportingOverflow(digit)
            guard !o1, !o2 else { return nil }
            value = next
            i += 1
        }
        return value
    }

    /// The correctly rounded double of a token, always from its own text (one rounding, never two): by
    /// the fast path when it applies, else by the standard library's decimal conversion.
    private func double(_ token: NumberToken) throws(Failure) -> Double {
        if let d = fastDouble(token) { return d }
        guard let d = Double(tokenText(token)), d.isFinite else { throw fail("\(tokenText(token)) is out of range for a double") }
        return d
    }

    /// Powers of ten a double holds exactly (10^22 is the last).
    private static let exactPowersOfTen: [Double] = (0...22).reduce(into: [1]) { powers, _ in powers.append(powers[powers.count - 1] * 10) }

    /// Clinger's fast path: when the digits, as an integer, are at most 2^53 and the power of ten at most
    /// 22, both are exact doubles and one IEEE multiplication or division rounds the value correctly.
    /// Nil when it does not apply.
    private func fastDouble(_ token: NumberToken) -> Double? {
        var i = token.range.lowerBound
        let end = token.range.upperBound
        let negative = bytes[i] == UInt8(ascii: "-")
        if negative { i += 1 }
        var mantissa: UInt64 = 0
        var exponent = 0
        var fraction = false
        while i < end {
            let b = bytes[i]
            if b == UInt8(ascii: ".") {
                fraction = true
            } else if b >= UInt8(ascii: "0"), b <= UInt8(ascii: "9") {
                guard mantissa <= 1 << 53 else { return nil }
                mantissa = mantissa * 10 + UInt64(b - UInt8(ascii: "0"))
                if fraction { exponent -= 1 }
            } else {
                break  // the exponent
            }
            i += 1
        }
        if i < end {
            i += 1
            let sign = bytes[i] == UInt8(ascii: "-") ? -1 : 1
            if bytes[i] == UInt8(ascii: "-") || bytes[i] == UInt8(ascii: "+") { i += 1 }
            guard end - i <= 4 else { return nil }
            var e = 0
            while i < end {
                e = e * 10 + Int(bytes[i] - UInt8(ascii: "0"))
                i += 1
            }
            exponent += sign * e
        }
        guard mantissa <= 1 << 53, exponent.magnitude <= 22 else { return nil }
        let m = Double(mantissa)
        let v = exponent < 0 ? m / Self.exactPowersOfTen[-exponent] : m * Self.exactPowersOfTen[exponent]
        return negative ? -v : v
    }

    private func tokenText(_ token: NumberToken) -> String { String(decoding: bytes[token.range], as: UTF8.self) }

    private mutating func unescape(into out: inout [UInt8]) throws(Failure) {
        guard index < bytes.count else { throw fail("unterminated string") }
        let c = bytes[index]
        index += 1
        switch c {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(c)
        case UInt8(ascii: "b"): out.append(0x08)
        case UInt8(ascii: "f"): out.append(0x0c)
        case UInt8(ascii: "n"): out.append(0x0a)
        case UInt8(ascii: "r"): out.append(0x0d)
        case UInt8(ascii: "t"): out.append(0x09)
        case UInt8(ascii: "u"):
            var scalar = UInt32(try hex4())
            if (0xD800..<0xDC00).contains(scalar) {
                guard consumeRaw(UInt8(ascii: "\\")), consumeRaw(UInt8(ascii: "u")) else { throw fail("unpaired surrogate in a string") }
                let low = UInt32(try hex4())
                guard (0xDC00..<0xE000).contains(low) else { throw fail("unpaired surrogate in a string") }
                scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
            }
            guard let s = Unicode.Scalar(scalar) else { throw fail("unpaired surrogate in a string") }
            UTF8.encode(s) { out.append($0) }
        default: throw fail("invalid escape '\\\(Character(Unicode.Scalar(c)))' in a string")
        }
    }

    private mutating func hex4() throws(Failure) -> UInt16 {
        guard index + 4 <= bytes.count else { throw fail("unterminated \\u escape") }
        var v: UInt16 = 0
        for b in bytes[index..<index + 4] {
            guard let h = Self.hexValue(b) else { throw fail("invalid \\u escape") }
            v = v << 4 | UInt16(h)
        }
        index += 4
        return v
    }

    private static func hexValue(_ b: UInt8) -> UInt8? {
        switch b {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): b - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): b - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): b - UInt8(ascii: "A") + 10
        default: nil
        }
    }

    private func validated(_ utf8: ArraySlice<UInt8>) throws(Failure) -> ArraySlice<UInt8> {
        guard String(validating: utf8, as: UTF8.self) != nil else { throw fail("a string is not valid UTF-8") }
        return utf8
    }

    private mutating func word<T>(_ word: [UInt8], _ value: T) throws(Failure) -> T {
        guard follows(word) else { throw fail("expected a value") }
        index += word.count
        return value
    }

    /// Whether `word` comes next.
    private func follows(_ word: [UInt8]) -> Bool {
        guard index + word.count <= bytes.count else { return false }
        for i in 0..<word.count where bytes[index + i] != word[i] { return false }
        return true
    }

    private mutating func descend() throws(Failure) {
        depth += 1
        guard depth <= Self.maxDepth else { throw fail("nested deeper than \(Self.maxDepth) levels") }
    }

    private mutating func skipWhitespace() {
        while index < bytes.count, bytes[index] == 0x20 || bytes[index] == 0x0a || bytes[index] == 0x0d || bytes[index] == 0x09 { index += 1 }
    }

    private func peek() -> UInt8? { index < bytes.count ? bytes[index] : nil }

    /// Skips whitespace, then consumes `byte` if it comes next.
    private mutating func consume(_ byte: UInt8) throws(Failure) -> Bool {
        skipWhitespace()
        return consumeRaw(byte)
    }

    private mutating func consumeRaw(_ byte: UInt8) -> Bool {
        guard peek() == byte else { return false }
        index += 1
        return true
    }

    private mutating func expect(_ byte: UInt8, _ what: String) throws(Failure) {
        guard try consume(byte) else { throw fail("expected \(what)") }
    }

    private func fail(_ message: String) -> Failure {
        Failure(path: [], message: index < bytes.count ? "\(message) at byte \(index)" : "\(message) (the body ends there)")
    }
}
