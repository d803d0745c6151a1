import LedgerModel
import LedgerProtocol

/// A search over runs that SQLite answers: which runs, in which order. Each filter condition and sort
/// key is a Swift closure over one field of a run, which SQLite calls as a function, so the runs table
/// and MLflow's `search_runs` both filter, sort and page in SQL, each with its own rules.
public struct RunSearch: Sendable {
    /// A field of a run as SQL reads it: metrics and times as numbers, the rest as text (a status as
    /// its raw name, an author as its published name or else its fingerprint, a run id as hex).
    public enum Column: Sendable, Hashable {
        case metric(String, RunTable.Aggregate)
        case param(String)
        case tag(String)
        case name, status, author, experiment, host, git, runID, startTime, endTime
    }

    public enum Deleted: Sendable {
        case hidden, only, included
    }

    /// A filter condition: whether a run's value of `column` (nil when it has none) passes.
    public struct Condition: Sendable {
        public var column: Column
        public var test: @Sendable (RunTable.Value?) -> Bool

        public init(_ column: Column, _ test: @escaping @Sendable (RunTable.Value?) -> Bool) {
            self.column = column
            self.test = test
        }
    }

    /// A sort key: bytes whose order is the wanted order; runs without a value go last either way.
    public struct Order: Sendable {
        public var column: Column
        public var descending: Bool
        public var key: @Sendable (RunTable.Value) -> [UInt8]

        public init(_ column: Column, descending: Bool, key: @escaping @Sendable (RunTable.Value) -> [UInt8] = \.orderKey) {
            self.column = column
            self.descending = descending
            self.key = key
        }
    }

    /// How runs equal in every order compare: newest first by clock (the runs table) or by the start
    /// time the logging code gave (MLflow), then by id.
    public enum Newest: Sendable {
        case clock, startTime
    }

    /// Runs of these experiments; of all when nil.
    public var experiments: [LedgerID]?
    public var deleted: Deleted
    public var conditions: [Condition]
    public var orders: [Order]
    public var newest: Newest

    public init(
        experiments: [LedgerID]?, deleted: Deleted = .hidden, conditions: [Condition] = [], orders: [Order] = [], newest: Newest = .clock
    ) {
        self.experiments = experiments
        self.deleted = deleted
        self.conditions = conditions
        self.orders = orders
        self.newest = newest
    }
}

extension RunSearch {
    /// The runs table's query as a search: `RunFilter`'s comparisons, `RunTable.Value`'s order.
    public init(experiment: LedgerID?, table query: RunTable.Query, includeDeleted: Bool = false) {
        func column(_ field: RunFilter.Field, _ aggregate: RunTable.Aggregate = .last) -> Column {
            switch field {
            case .metric(let key): .metric(key, aggregate)
            case .param(let key): .param(key)
            case .tag(let key): .tag(key)
            case .attribute(let name):
                switch name {
                case "name": .name
                case "status": .status
                case "author": .author
                case "experiment": .experiment
                case "host": .host
                default: .git
                }
            }
        }
        let conditions = query.filter.clauses.map { clause -> Condition in
            if case .metric = clause.field { return Condition(column(clause.field)) { clause.matches(number: $0?.number) } }
            return Condition(column(clause.field)) { clause.matches(text: $0?.text) }
        }
        let orders = query.sort.map { sort -> [Order] in
            if case .metric = sort.field { return [Order(column(sort.field, sort.aggregate), descending: query.descending)] }
            return [Order(column(sort.field), descending: query.descending) { RunTable.Value(text: $0.text ?? "").orderKey }]
        }
        self.init(
            experiments: experiment.map { [$0] }, deleted: includeDeleted ? .included : .hidden, conditions: conditions, orders: orders ?? [])
    }
}
