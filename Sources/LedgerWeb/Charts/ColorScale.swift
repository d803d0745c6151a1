import Foundation

/// Colours for values: viridis (dark purple for low, yellow for high), which stays readable in grey
/// and for colour-blind readers. Used for runs coloured by a metric and for heat map cells.
public enum ColorScale {
    static let stops: [(Double, Double, Double)] = [
        (68, 1, 84), (72, 40, 120), (62, 74, 137), (49, 104, 142), (38, 130, 142),
        (31, 158, 137), (53, 183, 121), (110, 206, 88), (181, 222, 43), (253, 231, 37),
    ]

    /// The colour at `t` in 0...1 (clamped), as `#rrggbb`.
    public static func viridis(_ t: Double) -> String { viridisTable[index(t)] }

    /// The scales at 256 points: a colour per cell or line is then a lookup, not a formatting.
    static let viridisTable = (0...255).map { interpolate(stops, Double($0) / 255) }
    static let bluesTable = (0...255).map { interpolate(blueStops, Double($0) / 255) }

    static func index(_ t: Double) -> Int { t.isFinite ? Int((min(1, max(0, t)) * 255).rounded()) : 0 }

    /// The colour at `t` between evenly spaced stops.
    static func interpolate(_ stops: [(Double, Double, Double)], _ t: Double) -> String {
        let x = t.isFinite ? min(1, max(0, t)) * Double(stops.count - 1) : 0
        let i = min(stops.count - 2, Int(x))
        let w = x - Double(i)
        let (a, b) = (stops[i], stops[i + 1])
        func mix(_ p: Double, _ q: Double) -> Int { Int((p + (q - p) * w).rounded()) }
        return String(format: "#%02x%02x%02x", mix(a.0, b.0), mix(a.1, b.1), mix(a.2, b.2))
    }

    /// A vertical bar of the scale with the axis's ticks beside it and its title below (above it is the
    /// last axis's title).
    static func legend(x: Double, y: Double, height: Double, axis: Axis, title: String) -> String {
        var s = "<g class=\"colorbar\"><defs><linearGradient id=\"viridis\" x1=\"0\" y1=\"1\" x2=\"0\" y2=\"0\">"
        for i in 0...8 { s += "<stop offset=\"\(Double(i) / 8)\" stop-color=\"\(viridis(Double(i) / 8))\"/>" }
        s += "</linearGradient></defs>"
        s += "<rect x=\"\(x)\" y=\"\(y)\" width=\"12\" height=\"\(height)\" fill=\"url(#viridis)\" stroke=\"#888\" stroke-width=\"0.5\"/>"
        s += "<g font-size=\"10\" fill=\"#444\">"
        for t in axis.ticks {
            let ty = y + (1 - axis.fraction(t)) * height
            s += "<text x=\"\(x + 16)\" y=\"\(Plot.decimal1(ty + 3))\" data-v=\"\(Format.number(t))\">\(HTML.escape(axis.label(t)))</text>"
        }
        s += "</g><text x=\"\(x)\" y=\"\(y + height + 16)\" font-size=\"10\" fill=\"#5c6670\">\(HTML.escape(Plot.short(title)))</text></g>"
        return s
    }
}

extension ColorScale {
    static let blueStops: [(Double, Double, Double)] = [(247, 251, 255), (198, 219, 239), (107, 174, 214), (33, 113, 181), (8, 48, 107)]

    /// White to dark blue, for shares where zero should look empty (heat map cells).
    public static func blues(_ t: Double) -> String { bluesTable[index(t)] }
}
