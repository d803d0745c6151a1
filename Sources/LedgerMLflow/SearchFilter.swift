import Foundation
import LedgerModel

/// MLflow's search filter syntax: comparisons joined by AND, e.g.
/// `metrics.acc > 0.9 and params.lr = '0.01' and attributes.status = 'FINISHED'`.
/// Keys with spaces go in backticks or double quotes; text values in single or double quotes.
public struct SearchFilter: Sendable, Equatable {
    public enum Entity: String, Sendable, Equatable { case metric, param, tag, attribute }

    public enum Operator: String, Sendable, Equatable, CaseIterable {
        case equal = "="
        case notEqual = "!="
        case less = "<"
        case lessOrEqual = "<="
        case greater = ">"
        case greaterOrEqual = ">="
        case like = "LIKE"
        case ilike = "ILIKE"
    }

    public struct Clause: Sendable, Equatable {
        public var entity: Entity
        public var key: String
        public var op: Operator
        public var value: String
        /// The value was written as a number (unquoted).
        public var numeric: Bool

        /// Whether a field's value passes (a missing field never does).
        public func matches(_ actual: FieldValue?) -> Bool {
            switch actual {
            case nil: return false
            case .number(let a):
                guard let b = Double(value) else { return false }
                return SearchFilter.ordered(a, b, op)
            case .text(let a): return SearchFilter.compare(a, value, op)
            }
        }
    }

    public var clauses: [Clause]

    public init(clauses: [Clause]) { self.clauses = clauses }

    public init(parsing text: String?) throws(MLflowError) {
        var tokens = try Self.tokenize(text ?? "")
        var clauses = [Clause]()
        while !tokens.isEmpty {
            guard tokens.count >= 3, case .word(let name) = tokens[0], case .op(let op) = tokens[1] else {
                throw .invalid("Invalid filter '\(text ?? "")': expected `entity.key OPERATOR value` joined by AND")
            }
            let (entity, key) = try Self.field(name)
            switch tokens[2] {
            case .quoted(let v): clauses.append(Clause(entity: entity, key: key, op: op, value: v, numeric: false))
            case .word(let v) where Double(v) != nil: clauses.append(Clause(entity: entity, key: key, op: op, value: v, numeric: true))
            default: throw .invalid("Invalid filter '\(text ?? "")': the value after '\(name) \(op.rawValue)' must be a number or a quoted string")
            }
            tokens.removeFirst(3)
            if let next = tokens.first {
                guard case .word(let w) = next, w.uppercased() == "AND" else {
                    throw .invalid("Invalid filter '\(text ?? "")': join comparisons with AND")
                }
                tokens.removeFirst()
                if tokens.isEmpty { throw .invalid("Invalid filter '\(text ?? "")': nothing after AND") }
            }
        }
        self.clauses = clauses
    }

    /// True when every clause holds; `lookup` gives the run's (or version's) value of a field, if any.
    public func matches(_ lookup: (Entity, String) -> FieldValue?) -> Bool {
        clauses.allSatisfy { $0.matches(lookup($0.entity, $0.key)) }
    }

    public enum FieldValue: Sendable, Equatable {
        case number(Double)
        case text(String)
    }

    /// `a op b` for the ordering operators (LIKE and ILIKE never hold between numbers).
    static func ordered<T: Comparable>(_ a: T, _ b: T, _ op: Operator) -> Bool {
        guard let common = RunFilter.Operator(rawValue: op.rawValue) else { return false }
        return RunFilter.compare(a, b, common)
    }

    static func compare(_ a: String, _ b: String, _ op: Operator) -> Bool {
        switch op {
        case .like: likeMatches(a, pattern: b)
        case .ilike: likeMatches(a.lowercased(), pattern: b.lowercased())
        default: ordered(a, b, op)
        }
    }

    /// SQL LIKE: `%` any run of characters, `_` one character.
    static func likeMatches(_ text: String, pattern: String) -> Bool {
        let t = Array(text)
        let p = Array(pattern)
        var memo = [Int: Bool]()
        func match(_ i: Int, _ j: Int) -> Bool {
            if let m = memo[i * (p.count + 1) + j] { return m }
            let result: Bool
            if j == p.count {
                result = i == t.count
            } else if p[j] == "%" {
                result = match(i, j + 1) || (i < t.count && match(i + 1, j))
            } else {
                result = i < t.count && (p[j] == "_" || p[j] == t[i]) && match(i + 1, j + 1)
            }
            memo[i * (p.count + 1) + j] = result
            return result
        }
        return match(0, 0)
    }

    static func field(_ name: String) throws(MLflowError) -> (Entity, String) {
        guard let dot = name.firstIndex(of: ".") else { return (.attribute, name) }
        let prefix = name[..<dot].lowercased()
        let key = String(name[name.index(after: dot)...])
        switch prefix {
        case "metric", "metrics": return (.metric, key)
        case "param", "params", "parameter", "parameters": return (.param, key)
        case "tag", "tags": return (.tag, key)
        case "attribute", "attributes", "attr", "run": return (.attribute, key)
        default: throw .invalid("Invalid entity type '\(prefix)': use metrics., params., tags. or attributes.")
        }
    }

    enum Token: Equatable {
        case word(String)
        case quoted(String)
        case op(Operator)
    }

    /// Words (identifiers, numbers, `prefix.key` with a quoted key), quoted strings and operators.
    static func tokenize(_ text: String) throws(MLflowError) -> [Token] {
        var scanner = Scanner(chars: Array(text), text: text)
        var tokens = [Token]()
        while let c = scanner.peek {
            if c.isWhitespace {
                scanner.index += 1
                continue
            }
            let afterOperator = if case .op = tokens.last { true } else { false }
            if c == "'" || (c == "\"" && (afterOperator || tokens.isEmpty)) {
                tokens.append(.quoted(try scanner.quoted()))
            } else if "=!<>".contains(c) {
                tokens.append(.op(try scanner.comparison()))
            } else {
                let word = try scanner.word()
                if let o = Operator(rawValue: word.uppercased()), o == .like || o == .ilike {
                    tokens.append(.op(o))
                } else {
                    tokens.append(.word(word))
                }
            }
        }
        return tokens
    }

    struct Scanner {
        let chars: [Character]
        let text: String
        var index = 0

        var peek: Character? { index < chars.count ? chars[index] : nil }

        /// The text up to the closing quote (the same character as the opening one).
        mutating func quoted() throws(MLflowError) -> String {
            let quote = chars[index]
            index += 1
            var out = ""
            while let c = peek, c != quote {
                out.append(c)
                index += 1
            }
            guard peek != nil else { throw .invalid("Invalid filter '\(text)': unclosed \(quote)") }
            index += 1
            return out
        }

        mutating func comparison() throws(MLflowError) -> Operator {
            var op = String(chars[index])
            index += 1
            if peek == "=" {
                op.append("=")
                index += 1
            }
            guard let o = Operator(rawValue: op) else { throw .invalid("Invalid filter '\(text)': unknown operator '\(op)'") }
            return o
        }

        /// A bare word; a backtick- or double-quoted part (a key with spaces) joins it.
        mutating func word() throws(MLflowError) -> String {
            var word = ""
            while let c = peek, !c.isWhitespace, !"=!<>'".contains(c) {
                if c == "`" || c == "\"" {
                    word += try quoted()
                } else {
                    word.append(c)
                    index += 1
                }
            }
            return word
        }
    }
}

/// One `order_by` entry: `metrics.acc DESC`, `attributes.start_time`, `params.lr ASC`.
public struct SearchOrder: Sendable, Equatable {
    public var entity: SearchFilter.Entity
    public var key: String
    public var ascending: Bool

    public init(parsing text: String) throws(MLflowError) {
        var parts = text.trimmingCharacters(in: .whitespaces).split(separator: " ").map(String.init)
        ascending = true
        if let last = parts.last?.uppercased(), parts.count > 1, last == "ASC" || last == "DESC" {
            ascending = last == "ASC"
            parts.removeLast()
        }
        guard !parts.isEmpty else { throw .invalid("Invalid order_by clause '\(text)'") }
        let name = parts.joined(separator: " ").replacingOccurrences(of: "`", with: "")
        (entity, key) = try SearchFilter.field(name)
    }
}
