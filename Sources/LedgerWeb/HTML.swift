/// HTML text that is safe to put in a page. Names, reasons and comments come from other people's
/// signed events and are untrusted, so escaping is the default: in `"<td>\(name)</td>"` a `String`
/// is escaped and only an `HTML` value (markup built here) goes in as it is.
public struct HTML: Sendable, Equatable, CustomStringConvertible {
    public let markup: String

    init(markup: String) { self.markup = markup }

    public var description: String { markup }

    public static let empty = HTML(markup: "")

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

    /// Markup repeated for each element, e.g. the rows of a table.
    public static func each<S: Sequence>(_ items: S, _ render: (S.Element) throws -> HTML) rethrows -> HTML {
        var markup = ""
        for item in items { markup += try render(item).markup }
        return HTML(markup: markup)
    }

    /// `html` when `condition` holds, else nothing.
    public static func when(_ condition: Bool, _ html: @autoclosure () -> HTML) -> HTML {
        condition ? html() : .empty
    }
}

extension HTML: ExpressibleByStringInterpolation {
    /// Literal text in the source is markup written here, so it is trusted.
    public init(stringLiteral value: String) { markup = value }

    public init(stringInterpolation: Interpolation) { markup = stringInterpolation.markup }

    public struct Interpolation: StringInterpolationProtocol {
        var markup = ""

        public init(literalCapacity: Int, interpolationCount: Int) {
            markup.reserveCapacity(literalCapacity + interpolationCount * 16)
        }

        public mutating func appendLiteral(_ literal: String) { markup += literal }

        /// Untrusted text: escaped.
        public mutating func appendInterpolation(_ text: String) { markup += HTML.escape(text) }

        /// Untrusted text, or nothing.
        public mutating func appendInterpolation(_ text: String?) { markup += text.map(HTML.escape) ?? "" }

        public mutating func appendInterpolation(_ html: HTML) { markup += html.markup }

        public mutating func appendInterpolation<N: BinaryInteger>(_ number: N) { markup += String(number) }
    }
}
