/// A confusion matrix read from a logged JSON artifact: rows are the actual classes, columns the
/// predicted ones. It reads the shapes people log with the MLflow client:
///
/// - `mlflow.log_dict({"labels": [...], "matrix": [[...]]}, ...)`, also with `classes`, `class_names`,
///   `display_labels` or `target_names` for the labels and `confusion_matrix`, `values`, `counts` or
///   `cm` for the matrix, or a bare list of rows (`cm.tolist()`);
/// - `mlflow.log_table(df, ...)`, which writes pandas' `split` orientation (`columns`, `data`, and
///   `index` when kept): a square table of counts, the same with a first column naming the actual
///   class, a long table of (actual, predicted, count) rows, or one (actual, predicted) row per example;
/// - `mlflow.log_dict(df.to_dict(), ...)`: `{predicted: {actual: count}}`, classes in sorted order.
public struct ConfusionMatrix: Sendable, Equatable {
    public var actual: [String]
    public var predicted: [String]
    /// `counts[i][j]`: examples of class `actual[i]` predicted as `predicted[j]`.
    public var counts: [[Double]]

    public static let maxClasses = 500

    public struct ParseError: Error, Equatable, CustomStringConvertible {
        public var message: String
        public var description: String { message }
    }

    public init(actual: [String], predicted: [String], counts: [[Double]]) {
        self.actual = actual
        self.predicted = predicted
        self.counts = counts
    }

    public init(json bytes: [UInt8]) throws(ParseError) {
        guard let value = JSONValue.parse(bytes) else { throw ParseError(message: "not valid JSON") }
        self = try Self.read(value)
    }

    static let matrixKeys = ["matrix", "confusion_matrix", "values", "counts", "cm"]
    static let labelKeys = ["labels", "classes", "class_names", "display_labels", "target_names"]
    static let countNames: Set<String> = ["count", "counts", "n", "value", "values", "freq", "frequency", "support"]

    static func read(_ value: JSONValue) throws(ParseError) -> ConfusionMatrix {
        if let rows = value.array { return try square(rows, columns: nil, index: nil) }
        guard let object = value.object else { throw ParseError(message: "expected an object or a list of rows") }
        if let key = matrixKeys.first(where: { object[$0] != nil }), let inner = object[key] {
            if inner.object != nil { return try read(inner) }
            guard let rows = inner.array else { throw ParseError(message: "'\(key)' is not a list of rows") }
            let labels = labelKeys.lazy.compactMap { object[$0]?.array }.first
            return try square(rows, columns: labels, index: labels)
        }
        if let columns = object["columns"]?.array, let data = object["data"]?.array {
            return try table(columns: columns, data: data, index: object["index"]?.array)
        }
        if !object.isEmpty, object.values.allSatisfy({ $0.object != nil }) { return try nested(object) }
        throw ParseError(
            message: "no matrix found: expected {\"labels\": [...], \"matrix\": [[...]]}, a list of rows, or a table from mlflow.log_table")
    }

    /// Rows of counts, with the labels of the columns and rows where known.
    static func square(_ rows: [JSONValue], columns: [JSONValue]?, index: [JSONValue]?) throws(ParseError) -> ConfusionMatrix {
        var counts = [[Double]]()
        for (i, row) in rows.enumerated() {
            guard let cells = row.array else { throw ParseError(message: "row \(i + 1) is not a list") }
            var numbers = [Double]()
            for cell in cells {
                guard let n = cell.number else { throw ParseError(message: "row \(i + 1) holds something other than numbers") }
                numbers.append(n)
            }
            counts.append(numbers)
        }
        guard !counts.isEmpty else { throw ParseError(message: "the matrix is empty") }
        guard counts.allSatisfy({ $0.count == counts.count }) else {
            throw ParseError(message: "not square: \(counts.count) rows of \(counts.map(\.count).max() ?? 0) columns")
        }
        let names = (columns ?? []).compactMap(\.text)
        let predicted = names.count == counts.count ? names : counts.indices.map(String.init)
        let rowNames = (index ?? []).compactMap(\.text)
        return try checked(ConfusionMatrix(actual: rowNames.count == counts.count ? rowNames : predicted, predicted: predicted, counts: counts))
    }

    /// pandas' `split` orientation in one of its four confusion-matrix shapes.
    static func table(columns: [JSONValue], data: [JSONValue], index: [JSONValue]?) throws(ParseError) -> ConfusionMatrix {
        let names = columns.compactMap(\.text)
        let rows = data.compactMap(\.array)
        guard rows.count == data.count, names.count == columns.count else { throw ParseError(message: "'data' must be a list of rows") }
        let long = names.count == 3 && countNames.contains(names[2].lowercased())
        if !long, rows.count == names.count, rows.allSatisfy({ $0.allSatisfy { $0.number != nil } }) {
            return try square(data, columns: columns, index: index)
        }
        // A first column naming each row's actual class, then one column of counts per predicted class.
        let tails = rows.map { $0.dropFirst() }
        if !long, names.count >= 2, rows.count == names.count - 1, tails.allSatisfy({ $0.allSatisfy { $0.number != nil } }) {
            return try square(tails.map { .array(Array($0)) }, columns: Array(columns.dropFirst()), index: rows.map { $0.first ?? .null })
        }
        guard names.count == 2 || names.count == 3 else {
            throw ParseError(
                message:
                    "the table is not a confusion matrix: \(rows.count) rows of \(names.count) columns, not square counts or (actual, predicted[, count]) rows"
            )
        }
        var pairs = [(String, String, Double)]()
        for (i, row) in rows.enumerated() {
            guard row.count == names.count, let a = row[0].text, let p = row[1].text, let n = names.count == 3 ? row[2].number : 1 else {
                throw ParseError(message: "row \(i + 1) is not (actual, predicted\(names.count == 3 ? ", count" : ""))")
            }
            pairs.append((a, p, n))
        }
        return try tally(pairs)
    }

    /// `{predicted: {actual: count}}`, as `DataFrame.to_dict()` writes it.
    static func nested(_ object: [String: JSONValue]) throws(ParseError) -> ConfusionMatrix {
        var pairs = [(String, String, Double)]()
        for (predicted, column) in object {
            for (actual, cell) in column.object ?? [:] {
                guard let n = cell.number else { throw ParseError(message: "'\(predicted)' holds something other than counts") }
                pairs.append((actual, predicted, n))
            }
        }
        return try tally(pairs)
    }

    /// Counts from (actual, predicted, count) triples; classes sorted, numerically when all are numbers.
    static func tally(_ pairs: [(String, String, Double)]) throws(ParseError) -> ConfusionMatrix {
        var classes = Set<String>()
        for (a, p, _) in pairs {
            classes.insert(a)
            classes.insert(p)
        }
        guard classes.count <= maxClasses else { throw ParseError(message: "more than \(maxClasses) classes") }
        let labels = classes.sorted { a, b in
            if let x = Double(a), let y = Double(b), x != y { return x < y }
            return a < b
        }
        let index = Dictionary(uniqueKeysWithValues: labels.enumerated().map { ($1, $0) })
        var counts = [[Double]](repeating: [Double](repeating: 0, count: labels.count), count: labels.count)
        for (a, p, n) in pairs {
            guard let i = index[a], let j = index[p] else { continue }
            counts[i][j] += n
        }
        return try checked(ConfusionMatrix(actual: labels, predicted: labels, counts: counts))
    }

    static func checked(_ m: ConfusionMatrix) throws(ParseError) -> ConfusionMatrix {
        guard !m.counts.isEmpty else { throw ParseError(message: "the matrix is empty") }
        guard m.counts.count <= maxClasses else { throw ParseError(message: "more than \(maxClasses) classes") }
        return m
    }

    /// Examples counted, and the share on the diagonal (nil when the classes differ or nothing was counted).
    public var total: Double { counts.reduce(0) { $0 + $1.reduce(0, +) } }

    public var accuracy: Double? {
        guard actual == predicted, total > 0 else { return nil }
        return counts.indices.reduce(0) { $0 + counts[$1][$1] } / total
    }
}
