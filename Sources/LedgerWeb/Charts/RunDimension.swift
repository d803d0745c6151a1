import LedgerModel

/// One field of many runs placed on an axis: numbers on a linear or log axis, text (an optimizer's
/// name, a dataset) as categories. Parallel coordinates and scatter plots share it.
struct RunDimension {
    let column: RunTable.Column
    let axis: Axis
    /// Per run, in the order given: where it sits on the axis (a number, or a category's index); nil
    /// when the run lacks the field.
    let positions: [Double?]
    /// Per run: the value as hover titles show it.
    let texts: [String?]

    /// `log` forces a log axis (nil: chosen when every value is positive and they span two decades or more).
    init(_ column: RunTable.Column, runs: [RunView], log: Bool? = nil) {
        self.column = column
        let values = runs.map { run -> RunTable.Value? in
            switch column.value(of: run) {
            case .number(let v) where !v.isFinite: nil
            case let value: value
            }
        }
        texts = values.map { $0.map { Format.cell($0) } }
        let numbers = values.compactMap { v -> Double? in if case .number(let d) = v { d } else { nil } }
        let present = values.filter { $0 != nil }.count
        if numbers.count == present, let lo = numbers.min(), let hi = numbers.max() {
            let positive = lo > 0
            let useLog = positive && (log ?? (hi / lo >= 100))
            axis = useLog ? .log(lo, hi) : .linear(lo, hi)
            positions = values.map { v in if case .number(let d) = v { d } else { nil } }
        } else {
            // Numbers first, in order, then text; one category per distinct text.
            var names = [String]()
            for value in values.compactMap({ $0 }).sorted() where names.last != Format.cell(value) { names.append(Format.cell(value)) }
            let index = Dictionary(names.enumerated().map { ($1, Double($0)) }, uniquingKeysWith: { a, _ in a })
            axis = .categories(names)
            positions = texts.map { $0.flatMap { index[$0] } }
        }
    }

    var missing: Bool { positions.contains { $0 == nil } }
}

extension RunTable.Column {
    /// How a column is titled: `params.lr`, `metrics.loss (min)`.
    var label: String { aggregate == .last ? field.name : "\(field.name) (\(aggregate.rawValue))" }
}
