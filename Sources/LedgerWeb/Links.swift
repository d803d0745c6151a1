/// Every address the dashboard links to, in one place. Entities are addressed by their hex ids, so no
/// user-chosen name ever becomes part of a path. Addresses are relative to the page's `<base>`
/// (`PageContext.base`), so the dashboard works at the root of a host and under a proxy's path prefix.
public enum Links {
    public static let experiments = "./"
    public static let models = "models"
    public static let audit = "audit"
    public static let stylesheet = "static/style.css"

    public static func experiment(_ id: String, _ query: String = "") -> String {
        "experiments/\(id)" + (query.isEmpty ? "" : "?" + query)
    }

    /// The experiment's runs as pictures (parallel coordinates, scatter), with the table's filter.
    public static func plots(_ id: String, _ query: String = "") -> String {
        "experiments/\(id)/plots" + (query.isEmpty ? "" : "?" + query)
    }

    public static func run(_ id: String) -> String { "runs/\(id)" }

    /// A run's artifact by its hash: the run says which file it is and so its type.
    public static func artifact(run: String, sha256: String) -> String { "runs/\(run)/artifacts/\(sha256)" }
    public static func model(_ id: String) -> String { "models/\(id)" }

    /// A link (relative, or a path from the root of the dashboard) as a path from the host's root.
    public static func absolute(_ link: String, base: String) -> String {
        let relative = link.drop { $0 == "/" }
        return base + (relative == "./" ? "" : relative)
    }

    /// `path` with a query of `pairs` (none when every value is empty).
    public static func with(_ path: String, _ pairs: [(String, String)]) -> String {
        let q = query(pairs)
        return q.isEmpty ? path : path + "?" + q
    }

    /// A query string from pairs, percent-encoded; empty values are left out.
    public static func query(_ pairs: [(String, String)]) -> String {
        pairs.filter { !$0.1.isEmpty }.map { "\(encode($0.0))=\(encode($0.1))" }.joined(separator: "&")
    }

    public static func encode(_ text: String) -> String {
        var out = ""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
                out.unicodeScalars.append(UnicodeScalar(byte))
            default:
                out += "%" + String(byte, radix: 16, uppercase: true).leftPadded(to: 2)
            }
        }
        return out
    }
}

extension String {
    func leftPadded(to width: Int) -> String { String(repeating: "0", count: max(0, width - count)) + self }
}
