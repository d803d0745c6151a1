import LedgerModel

/// The runs table's state as it travels in the address: filter, columns, sort, page. Parsed leniently
/// into a `RunTable.Query`; what cannot be parsed becomes a message on the page, not an error page.
public struct RunsTableRequest: Sendable, Equatable {
    public var filter: String
    public var columns: String
    public var sort: String
    public var descending: Bool
    public var page: Int
    public var pageSize: Int

    public static let maxPageSize = 500

    public init(_ form: FormData) {
        filter = form["filter"] ?? ""
        columns = form["columns"] ?? ""
        sort = form["sort"] ?? ""
        descending = form["order"] != "asc"
        page = form["page"].flatMap(Int.init) ?? 1
        pageSize = min(Self.maxPageSize, max(1, form["per"].flatMap(Int.init) ?? 50))
    }

    /// The query, the columns to show, and the first problem found in what was typed.
    public func resolve(
        defaultColumns: () throws -> [RunTable.Column]
    ) rethrows -> (query: RunTable.Query, columns: [RunTable.Column], problem: String?) {
        var problem: String?
        var query = RunTable.Query(descending: descending, page: page, pageSize: pageSize)
        do { query.filter = try RunFilter(parsing: filter) } catch { problem = "Filter: \(error.message)" }
        if !sort.isEmpty {
            do { query.sort = try RunTable.Column(parsing: sort) } catch { problem = problem ?? "Sort: \(error.message)" }
        }
        var chosen = [RunTable.Column]()
        for spec in columns.split(separator: ",") where !spec.trimmingCharacters(in: .whitespaces).isEmpty {
            do { chosen.append(try RunTable.Column(parsing: String(spec))) } catch { problem = problem ?? "Columns: \(error.message)" }
        }
        return (query, chosen.isEmpty ? try defaultColumns() : chosen, problem)
    }

    /// The address of this table with some parts changed.
    public func query(page: Int? = nil, sort: String? = nil, descending: Bool? = nil) -> String {
        Links.query([
            ("filter", filter), ("columns", columns), ("sort", sort ?? self.sort),
            ("order", (descending ?? self.descending) ? "" : "asc"),
            ("page", (page ?? self.page) == 1 ? "" : String(page ?? self.page)),
            ("per", pageSize == 50 ? "" : String(pageSize)),
        ])
    }
}
