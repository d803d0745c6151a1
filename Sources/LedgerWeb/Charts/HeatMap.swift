import Foundation

/// A confusion matrix as a labelled heat map: actual classes down the side, predicted classes along the
/// bottom, each cell shaded by its share of the actual class (so a rare class's errors show as clearly
/// as a common one's) and carrying its count in `data-count` and its hover title. Counts are written in
/// the cells while they fit (up to 20 classes); beyond that every n-th class is labelled.
public struct HeatMap: Sendable {
    /// The side of the square of cells at most, in the drawing's units, and of one cell.
    public var size = 520.0
    public var maxCell = 56.0
    public static let countsShownUpTo = 20

    public init() {}

    public func render(_ m: ConfusionMatrix, title: String) -> HTML {
        let rows = m.actual.count
        let columns = m.predicted.count
        let cell = min(maxCell, size / Double(max(rows, columns)))
        let labelWidth = 100.0
        let left = labelWidth + 22
        let top = 10.0
        let bottomLabels = 80.0
        let width = left + cell * Double(columns) + 70
        let height = top + cell * Double(rows) + bottomLabels + 20
        func f(_ v: Double) -> String { Plot.decimal1(v) }
        // Escaped once, not once per cell.
        let actual = m.actual.map(HTML.escape)
        let predicted = m.predicted.map(HTML.escape)
        var svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 \(Int(width)) \(Int(height))\" role=\"img\" class=\"chart heatmap\">"
        svg += "<title>\(HTML.escape(title))</title><g class=\"cells\">"
        let showCounts = max(rows, columns) <= Self.countsShownUpTo
        let fontSize = min(13, cell * 0.38)
        let side = f(cell)
        let xs = (0..<columns).map { f(left + Double($0) * cell) }
        for i in 0..<rows {
            let y = top + Double(i) * cell
            let rowY = f(y)
            let rowTotal = m.counts[i].reduce(0, +)
            for j in 0..<columns {
                let n = m.counts[i][j]
                let share = rowTotal > 0 ? n / rowTotal : 0
                let x = left + Double(j) * cell
                let percent = rowTotal > 0 ? " (\(f(share * 100))% of \(actual[i]))" : ""
                let count = Format.number(n)
                svg +=
                    "<rect x=\"\(xs[j])\" y=\"\(rowY)\" width=\"\(side)\" height=\"\(side)\" fill=\"\(ColorScale.blues(share))\" data-actual=\"\(i)\" data-predicted=\"\(j)\" data-count=\"\(count)\"><title>actual \(actual[i]), predicted \(predicted[j]): \(count)\(percent)</title></rect>"
                if showCounts {
                    svg +=
                        "<text x=\"\(f(x + cell / 2))\" y=\"\(f(y + cell / 2 + fontSize / 3))\" font-size=\"\(f(fontSize))\" text-anchor=\"middle\" fill=\"\(share > 0.5 ? "#fff" : "#1d232a")\">\(HTML.escape(Self.count(n)))</text>"
                }
            }
        }
        svg += "</g>"
        // Labels no closer than 11 units: every n-th class past that.
        let every = max(1, Int((11 / cell).rounded(.up)))
        let labelSize = min(11, max(7, cell * 0.8))
        svg += "<g class=\"labels actual\" font-size=\"\(f(labelSize))\" fill=\"#1d232a\" text-anchor=\"end\">"
        for i in stride(from: 0, to: rows, by: every) {
            svg +=
                "<text x=\"\(f(left - 4))\" y=\"\(f(top + (Double(i) + 0.5) * cell + labelSize / 3))\">\(HTML.escape(Plot.short(m.actual[i])))<title>\(HTML.escape(m.actual[i]))</title></text>"
        }
        svg += "</g><g class=\"labels predicted\" font-size=\"\(f(labelSize))\" fill=\"#1d232a\" text-anchor=\"end\">"
        let labelTop = top + Double(rows) * cell + 6
        for j in stride(from: 0, to: columns, by: every) {
            let x = left + (Double(j) + 0.5) * cell + labelSize / 3
            svg +=
                "<text x=\"\(f(x))\" y=\"\(f(labelTop))\" transform=\"rotate(-45 \(f(x)) \(f(labelTop)))\">\(HTML.escape(Plot.short(m.predicted[j])))<title>\(HTML.escape(m.predicted[j]))</title></text>"
        }
        svg += "</g>"
        let middleY = top + Double(rows) * cell / 2
        svg +=
            "<text x=\"12\" y=\"\(f(middleY))\" transform=\"rotate(-90 12 \(f(middleY)))\" font-size=\"12\" font-weight=\"600\" text-anchor=\"middle\" fill=\"#5c6670\">actual</text>"
        svg +=
            "<text x=\"\(f(left + Double(columns) * cell / 2))\" y=\"\(f(height - 6))\" font-size=\"12\" font-weight=\"600\" text-anchor=\"middle\" fill=\"#5c6670\">predicted</text>"
        svg += legend(x: left + Double(columns) * cell + 16, y: top, height: min(200, Double(rows) * cell))
        return HTML(markup: svg + "</svg>")
    }

    /// The shading's key: 0% to 100% of the actual class.
    private func legend(x: Double, y: Double, height: Double) -> String {
        var s = "<g class=\"colorbar\"><defs><linearGradient id=\"blues\" x1=\"0\" y1=\"1\" x2=\"0\" y2=\"0\">"
        for i in 0...4 { s += "<stop offset=\"\(Double(i) / 4)\" stop-color=\"\(ColorScale.blues(Double(i) / 4))\"/>" }
        s +=
            "</linearGradient></defs><rect x=\"\(x)\" y=\"\(y)\" width=\"10\" height=\"\(height)\" fill=\"url(#blues)\" stroke=\"#888\" stroke-width=\"0.5\"/>"
        s +=
            "<g font-size=\"9\" fill=\"#444\"><text x=\"\(x + 13)\" y=\"\(y + 8)\">100%</text><text x=\"\(x + 13)\" y=\"\(y + height)\">0%</text></g></g>"
        return s
    }

    /// A count as a cell shows it: whole numbers as they are, shares to three digits.
    static func count(_ n: Double) -> String {
        n == n.rounded() && abs(n) < 1e6 ? String(Int64(n)) : Axis.compact(n, step: abs(n) < 1 ? 0.001 : 1)
    }
}
