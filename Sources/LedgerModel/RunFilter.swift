import Foundation
import LedgerProtocol

/// A filter over runs, as people type it in the runs table: comparisons joined by `and`, e.g.
/// `metrics.acc > 0.9 and params.lr = 0.01 and status = finished`. Metrics compare their last value
/// numerically; params, tags and the run's own fields compare as numbers when both sides are numbers,
/// else as text. Quotes allow spaces: `tags.note = "first try"`.
public struct RunFilter: Sendable, Equatable {
    public enum Field: Sendable, Hashable {
        case metric(String)
        case param(String)
        case tag(String)
        case attribute(String)

        /// `metrics.KEY`, `params.KEY`, `tags.KEY` or one of the run's own fields.
        public init(parsing name: String) throws(ParseError) {
            let parts = name.split(separator: ".", maxSplits: 1).map(String.init)
            switch (parts.first, parts.count) {
            case ("metrics", 2): self = .metric(parts[1])
            case ("params", 2): self = .param(parts[1])
            case ("tags", 2): self = .tag(parts[1])
            case (_, 1) where Self.attributes.contains(name): self = .attribute(name)
            default:
                throw ParseError(
                    message: "unknown field '\(name)': use metrics.KEY, params.KEY, tags.KEY, name, status, author, experiment, host or git")
            }
        }

        static let attributes = ["name", "status", "author", "experiment", "host", "git"]

        /// How people write the field, the inverse of `init(parsing:)`.
        public var name: String {
            switch self {
            case .metric(let k): "metrics.\(k)"
            case .param(let k): "params.\(k)"
            case .tag(let k): "tags.\(k)"
            case .attribute(let a): a
            }
        }

        /// The field's text in a run; metrics have none (they are numbers, see `MetricSummary`).
        public func text(of run: RunView) -> String? {
            switch self {
            case .metric: nil
            case .param(let key): run.params[key]
            case .tag(let key): run.tags[key]
            case .attribute(let name):
                switch name {
                case "name": run.name
                case "status": run.status.rawValue
                case "author": run.author.name ?? run.author.fingerprint
                case "experiment": run.experiment
                case "host": run.host
                default: run.gitCommit
                }
            }
        }
    }

    public enum Operator: String, Sendable, CaseIterable {
        case lessOrEqual = "<="
        case greaterOrEqual = ">="
        case notEqual = "!="
        case equal = "="
        case less = "<"
        case greater = ">"
    }

    public struct Clause: Sendable, Equatable {
        public var field: Field
        public var op: Operator
        public var value: String

        public init(field: Field, op: Operator, value: String) {
            self.field = field
            self.op = op
            self.value = value
        }

        /// Whether a param's, tag's or run field's text passes: as numbers when both sides are numbers,
        /// else as text; a missing value passes only `!=`.
        public func matches(text: String?) -> Bool {
            guard let text else { return op == .notEqual }
            if let a = Double(text), let b = Double(value) { return RunFilter.compare(a, b, op) }
            return RunFilter.compare(text, value, op)
        }
    }

    public var clauses: [Clause]

    /// Matches every run.
    public init() { clauses = [] }

    public struct ParseError: Error, Equatable, CustomStringConvertible {
        public var message: String
        public var description: String { message }
    }

    public init(parsing text: String) throws(ParseError) {
        clauses = []
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard !trimmed.isEmpty else { return }
        for part in Self.splitOnAnd(trimmed) {
            guard let op = Operator.allCases.first(where: { part.contains($0.rawValue) }),
                let range = part.range(of: op.rawValue)
            else {
                throw ParseError(message: "'\(part)' has no comparison (use =, !=, <, <=, >, >=)")
            }
            let name = part[..<range.lowerBound].trimmingCharacters(in: .whitespaces)
            var value = part[range.upperBound...].trimmingCharacters(in: .whitespaces)
            if value.count >= 2, value.hasPrefix("\""), value.hasSuffix("\"") { value = String(value.dropFirst().dropLast()) }
            clauses.append(Clause(field: try Field(parsing: name), op: op, value: value))
        }
    }

    /// Splits on the word `and` outside quotes.
    private static func splitOnAnd(_ text: String) -> [String] {
        var parts = [String]()
        var current = ""
        var quoted = false
        let words = text.split(separator: " ", omittingEmptySubsequences: false)
        for word in words {
            if !quoted && word.lowercased() == "and" {
                parts.append(current.trimmingCharacters(in: .whitespaces))
                current = ""
                continue
            }
            quoted = word.filter { $0 == "\"" }.count % 2 == 1 ? !quoted : quoted
            current += (current.isEmpty ? "" : " ") + word
        }
        parts.append(current.trimmingCharacters(in: .whitespaces))
        return parts.filter { !$0.isEmpty }
    }

    public func matches(_ run: RunView) -> Bool {
        clauses.allSatisfy { clause in
            switch clause.field {
            case .metric(let key): return clause.matches(number: run.metrics[key]?.last?.value)
            default: return clause.matches(text: clause.field.text(of: run))
            }
        }
    }

    /// Whether `a op b` holds (also used by other filter syntaxes over the same comparisons).
    public static func compare<T: Comparable>(_ a: T, _ b: T, _ op: Operator) -> Bool {
        switch op {
        case .equal: a == b
        case .notEqual: a != b
        case .less: a < b
        case .lessOrEqual: a <= b
        case .greater: a > b
        case .greaterOrEqual: a >= b
        }
    }
}
