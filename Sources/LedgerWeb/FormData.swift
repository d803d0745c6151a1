/// `application/x-www-form-urlencoded` pairs, as sent by the dashboard's forms and in query strings.
/// Keys may repeat (the compare page takes `run=` several times).
public struct FormData: Sendable, Equatable {
    public var pairs: [(String, String)]

    public init(pairs: [(String, String)]) { self.pairs = pairs }

    public init(parsing text: Substring) {
        pairs = text.split(separator: "&").compactMap { part in
            let kv = part.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard let key = kv.first.flatMap({ Self.decode($0) }), !key.isEmpty else { return nil }
            return (key, kv.count > 1 ? Self.decode(kv[1]) ?? "" : "")
        }
    }

    public init(parsing text: String) { self.init(parsing: text[...]) }

    public subscript(_ key: String) -> String? { pairs.first { $0.0 == key }?.1 }

    public func all(_ key: String) -> [String] { pairs.filter { $0.0 == key }.map(\.1) }

    public static func == (a: FormData, b: FormData) -> Bool {
        a.pairs.map { [$0.0, $0.1] } == b.pairs.map { [$0.0, $0.1] }
    }

    /// Percent-decoding with `+` as space; nil for invalid escapes or invalid UTF-8.
    static func decode(_ text: Substring) -> String? {
        var bytes = [UInt8]()
        var i = text.utf8.startIndex
        let utf8 = text.utf8
        while i < utf8.endIndex {
            let b = utf8[i]
            if b == UInt8(ascii: "+") {
                bytes.append(UInt8(ascii: " "))
            } else if b == UInt8(ascii: "%") {
                let h = utf8.index(after: i)
                guard h < utf8.endIndex, utf8.index(after: h) < utf8.endIndex,
                    let hi = hexValue(utf8[h]), let lo = hexValue(utf8[utf8.index(after: h)])
                else { return nil }
                bytes.append(hi << 4 | lo)
                i = utf8.index(h, offsetBy: 2)
                continue
            } else {
                bytes.append(b)
            }
            i = utf8.index(after: i)
        }
        return String(validating: bytes, as: UTF8.self)
    }

    private static func hexValue(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): c - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): c - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
