import LedgerModel

/// The experiment plots' state as it travels in the address: the runs table's filter and order, the
/// parallel-coordinates axes, the colouring metric, the scatter's two fields and their scales.
public struct PlotsRequest: Sendable, Equatable {
    public var table: RunsTableRequest
    public var axes: String
    public var color: String
    public var x: String
    public var y: String
    public var logX: Bool
    public var logY: Bool

    public init(_ form: FormData) {
        table = RunsTableRequest(form)
        table.page = 1
        table.pageSize = ParallelCoordinates.maxRuns
        axes = form["axes"] ?? ""
        color = form["color"] ?? ""
        x = form["x"] ?? ""
        y = form["y"] ?? ""
        logX = form["xscale"] == "log"
        logY = form["yscale"] == "log"
    }

    /// What the plots draw, with defaults from the runs, and the first problem found in what was typed.
    public struct Resolved: Sendable {
        public var query: RunTable.Query
        public var axes: [RunTable.Column]
        public var color: RunTable.Column?
        public var x: RunTable.Column?
        public var y: RunTable.Column?
        public var problem: String?
    }

    public func resolve(runs: [RunView]) -> Resolved {
        let (query, _, tableProblem) = table.resolve { [] }
        var problem = tableProblem
        func column(_ text: String, _ what: String) -> RunTable.Column? {
            guard !text.trimmingCharacters(in: .whitespaces).isEmpty else { return nil }
            do { return try RunTable.Column(parsing: text) } catch {
                problem = problem ?? "\(what): \(error.message)"
                return nil
            }
        }
        let defaults = RunTable.defaultColumns(for: runs, params: 6, metrics: 1)
        let firstMetric = defaults.first { if case .metric = $0.field { true } else { false } }
        let params = defaults.filter { if case .param = $0.field { true } else { false } }
        let typed = axes.split(separator: ",").compactMap { column(String($0), "Axes") }
        let color = column(color, "Colour") ?? firstMetric
        var chosen = typed.isEmpty ? params : typed
        if let color, !chosen.contains(color) { chosen.append(color) }
        return Resolved(
            query: query, axes: chosen, color: color, x: column(x, "Scatter x") ?? params.first ?? firstMetric,
            y: column(y, "Scatter y") ?? firstMetric, problem: problem)
    }

    /// The address of these plots with some parts changed.
    public func query(logX: Bool? = nil, logY: Bool? = nil) -> String {
        Links.query([
            ("filter", table.filter), ("sort", table.sort), ("order", table.descending ? "" : "asc"), ("axes", axes), ("color", color),
            ("x", x), ("y", y), ("xscale", (logX ?? self.logX) ? "log" : ""), ("yscale", (logY ?? self.logY) ? "log" : ""),
        ])
    }
}
