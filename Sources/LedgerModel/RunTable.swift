import Foundation

/// The runs table: chosen columns, a filter, an order, and one page of the result. Pure, so the
/// dashboard and its tests share it, and fast enough to re-sort 10,000 runs on every request.
public enum RunTable {
    public enum Aggregate: String, Sendable, CaseIterable {
        case last, min, max
    }

    /// A column: a run field, and for metrics which value of the series to show.
    public struct Column: Sendable, Hashable {
        public var field: RunFilter.Field
        public var aggregate: Aggregate

        public init(field: RunFilter.Field, aggregate: Aggregate = .last) {
            self.field = field
            self.aggregate = aggregate
        }

        /// `metrics.acc`, `metrics.loss:min`, `params.lr`, `name`. Only a metric takes an aggregate, and
        /// only after its last colon, so keys may contain colons (`metrics.val:acc:max`).
        public init(parsing text: String) throws(RunFilter.ParseError) {
            let trimmed = text.trimmingCharacters(in: .whitespaces)
            if trimmed.hasPrefix("metrics."), let colon = trimmed.lastIndex(of: ":"),
                let aggregate = Aggregate(rawValue: String(trimmed[trimmed.index(after: colon)...]))
            {
                self.init(field: try RunFilter.Field(parsing: String(trimmed[..<colon])), aggregate: aggregate)
            } else {
                self.init(field: try RunFilter.Field(parsing: trimmed))
            }
        }

        /// The text `init(parsing:)` reads back.
        public var spec: String {
            if case .metric(let key) = field, aggregate != .last || key.contains(":") { return "\(field.name):\(aggregate.rawValue)" }
            return field.name
        }

        public func value(of run: RunView) -> Value? {
            if case .metric(let key) = field {
                guard let summary = run.metrics[key] else { return nil }
                let v: Double? =
                    switch aggregate {
                    case .last: summary.last?.value
                    case .min: summary.min
                    case .max: summary.max
                    }
                return v.map(Value.number)
            }
            return field.text(of: run).map(Value.init(text:))
        }
    }

    /// A cell's value: numbers sort numerically and before text.
    public enum Value: Sendable, Comparable {
        case number(Double)
        case text(String)

        public static func < (a: Value, b: Value) -> Bool {
            switch (a, b) {
            case (.number(let x), .number(let y)): !y.isTotallyOrdered(belowOrEqualTo: x)
            case (.number, .text): true
            case (.text, .number): false
            case (.text(let x), .text(let y)): x < y
            }
        }
    }

    public struct Query: Sendable, Equatable {
        public var filter: RunFilter
        public var sort: Column?
        public var descending: Bool
        /// 1-based.
        public var page: Int
        public var pageSize: Int

        public init(filter: RunFilter = RunFilter(), sort: Column? = nil, descending: Bool = true, page: Int = 1, pageSize: Int = 50) {
            self.filter = filter
            self.sort = sort
            self.descending = descending
            self.page = page
            self.pageSize = pageSize
        }
    }

    public struct Page: Sendable {
        public var rows: [RunView]
        /// Runs that pass the filter, on all pages.
        public var matching: Int
        public var page: Int
        public var pageCount: Int

        public init(rows: [RunView], matching: Int, page: Int, pageCount: Int) {
            self.rows = rows
            self.matching = matching
            self.page = page
            self.pageCount = pageCount
        }
    }

    /// Where the asked page lies once `matching` runs pass the filter: its number clamped into range,
    /// the page count, and the offset and length of its rows.
    public struct Window: Sendable, Equatable {
        public var page: Int
        public var pageCount: Int
        public var offset: Int
        public var size: Int

        public init(_ query: Query, matching: Int) {
            size = max(1, query.pageSize)
            // Not (matching + size - 1) / size: a page size typed as Int.max must not overflow.
            pageCount = max(1, matching / size + (matching % size == 0 ? 0 : 1))
            page = min(max(1, query.page), pageCount)
            offset = (page - 1) * size
        }
    }

    /// Filters, sorts (runs lacking the sort value go last either way; ties keep the given order) and
    /// cuts one page. The page number is clamped into range.
    public static func page(_ runs: [RunView], _ query: Query) -> Page {
        // Indices, not runs, are filtered and sorted: a run is a large value and copying 10,000 of them
        // costs more than the comparisons.
        var kept = query.filter.clauses.isEmpty ? Array(runs.indices) : runs.indices.filter { query.filter.matches(runs[$0]) }
        if let column = query.sort {
            let keys = kept.map { column.value(of: runs[$0]) }
            kept = kept.indices.sorted { a, b in
                switch (keys[a], keys[b]) {
                case (nil, nil): return a < b
                case (nil, _): return false
                case (_, nil): return true
                case (let x?, let y?):
                    if x == y { return a < b }
                    return query.descending ? y < x : x < y
                }
            }.map { kept[$0] }
        }
        let w = Window(query, matching: kept.count)
        return Page(
            rows: kept[min(w.offset, kept.count)..<min(w.offset + w.size, kept.count)].map { runs[$0] },
            matching: kept.count, page: w.page, pageCount: w.pageCount)
    }

    /// The columns shown when none are chosen: the params and metrics most runs have, params first.
    public static func defaultColumns(for runs: [RunView], params: Int = 5, metrics: Int = 5) -> [Column] {
        func common(_ keys: (RunView) -> Dictionary<String, some Any>.Keys, _ limit: Int) -> [String] {
            var counts = [String: Int]()
            for run in runs { for key in keys(run) { counts[key, default: 0] += 1 } }
            return counts.sorted { ($1.value, $0.key) < ($0.value, $1.key) }.prefix(limit).map(\.key).sorted()
        }
        return common({ $0.params.keys }, params).map { Column(field: .param($0)) }
            + common({ $0.metrics.keys }, metrics).map { Column(field: .metric($0)) }
    }
}
