/// HTML text that is safe to put in a page. Names, reasons and comments come from other people's
/// signed events and are untrusted: everything goes through `escape` unless it is markup we built.
public struct HTML: Sendable, Equatable, CustomStringConvertible {
    public let markup: String

    init(markup: String) { self.markup = markup }

    public var description: String { markup }

    /// Escapes text for element content and quoted attribute values.
    public static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for c in text.unicodeScalars {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.unicodeScalars.append(c)
            }
        }
        return out
    }

    public static func text(_ text: String) -> HTML { HTML(markup: escape(text)) }
}
