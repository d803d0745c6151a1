import Foundation

/// The plotting area of a chart and the frame drawn around it: grid lines and labels at the axes'
/// ticks, and the axes' titles. Every chart of the dashboard draws its frame here, so ticks read alike.
struct Plot {
    var left: Double
    var top: Double
    var width: Double
    var height: Double
    /// Space kept between the frame and the ends of the axes, so dots at the ends are not cut.
    var inset = 0.0

    func x(_ axis: Axis, _ v: Double) -> Double { left + inset + axis.fraction(v) * (width - 2 * inset) }
    func y(_ axis: Axis, _ v: Double) -> Double { top + inset + (1 - axis.fraction(v)) * (height - 2 * inset) }

    var bottom: Double { top + height }

    /// Grid, axis lines, tick labels (each with its value in `data-v`) and titles. Text is escaped.
    func frame(x: Axis, y: Axis, xTitle: String, yTitle: String?) -> String {
        var s = "<g class=\"grid\" stroke=\"#e6e9ec\" fill=\"none\">"
        for t in y.ticks { s += "<line x1=\"\(f(left))\" y1=\"\(f(self.y(y, t)))\" x2=\"\(f(left + width))\" y2=\"\(f(self.y(y, t)))\"/>" }
        for t in x.ticks { s += "<line x1=\"\(f(self.x(x, t)))\" y1=\"\(f(top))\" x2=\"\(f(self.x(x, t)))\" y2=\"\(f(bottom))\"/>" }
        s += "</g><g class=\"axes\" stroke=\"#888\" fill=\"none\">"
        s += "<line x1=\"\(f(left))\" y1=\"\(f(bottom))\" x2=\"\(f(left + width))\" y2=\"\(f(bottom))\"/>"
        s += "<line x1=\"\(f(left))\" y1=\"\(f(top))\" x2=\"\(f(left))\" y2=\"\(f(bottom))\"/></g>"
        s += "<g class=\"ticks y\" data-kind=\"\(y.kind.rawValue)\" font-size=\"10\" fill=\"#444\" text-anchor=\"end\">"
        for t in y.ticks {
            s +=
                "<text x=\"\(f(left - 5))\" y=\"\(f(self.y(y, t) + 3))\" data-v=\"\(Format.number(t))\">\(HTML.escape(Self.short(y.label(t))))</text>"
        }
        s += "</g><g class=\"ticks x\" data-kind=\"\(x.kind.rawValue)\" font-size=\"10\" fill=\"#444\" text-anchor=\"middle\">"
        // Category names could crowd each other: every n-th one is shown, all are in the hover titles.
        let every = x.kind == .categories ? max(1, Int((Double(x.ticks.count) * 60 / max(1, width)).rounded(.up))) : 1
        for (i, t) in x.ticks.enumerated() where i % every == 0 {
            s += "<text x=\"\(f(self.x(x, t)))\" y=\"\(f(bottom + 14))\" data-v=\"\(Format.number(t))\">\(HTML.escape(Self.short(x.label(t))))</text>"
        }
        s += "</g>"
        s +=
            "<text class=\"axis-title\" x=\"\(f(left + width / 2))\" y=\"\(f(bottom + 32))\" font-size=\"11\" fill=\"#5c6670\" text-anchor=\"middle\">\(HTML.escape(xTitle))</text>"
        if let yTitle {
            let middle = top + height / 2
            s +=
                "<text class=\"axis-title\" x=\"10\" y=\"\(f(middle))\" transform=\"rotate(-90 10 \(f(middle)))\" font-size=\"11\" fill=\"#5c6670\" text-anchor=\"middle\">\(HTML.escape(yTitle))</text>"
        }
        return s
    }

    /// Labels longer than `limit` characters are cut; the full text is in titles and tables.
    static func short(_ text: String, limit: Int = 14) -> String { text.count > limit ? String(text.prefix(limit - 1)) + "…" : text }

    func f(_ v: Double) -> String { Self.decimal1(v) }

    /// A coordinate with one decimal. `String(format:)` would do, but it costs more than everything else
    /// in a drawing of 10,000 cells.
    static func decimal1(_ v: Double) -> String {
        guard v.isFinite, abs(v) < 1e15 else { return v.isFinite ? String(v) : "0" }
        let tenths = Int64((v * 10).rounded())
        let size = tenths.magnitude
        return "\(tenths < 0 ? "-" : "")\(size / 10).\(size % 10)"
    }
}
