import LedgerStore

/// Why a dashboard request failed, with the HTTP status the browser gets and a message for the page.
public struct DashboardError: Error, CustomStringConvertible {
    public var status: Int
    public var message: String

    public init(status: Int, _ message: String) {
        self.status = status
        self.message = message
    }

    public var description: String { message }

    static func notFound(_ message: String) -> DashboardError { .init(status: 404, message) }
    static func badRequest(_ message: String) -> DashboardError { .init(status: 400, message) }

    /// Store errors keep their message; unknown names and ids are 404s.
    static func from(_ error: any Error) -> DashboardError {
        switch error {
        case let e as DashboardError: e
        case let e as StoreError:
            if case .notFound = e { .notFound(e.description) } else { .init(status: 400, e.description) }
        // Internal details (SQL, paths) stay out of the page.
        default: .init(status: 500, "The ledger could not be read. The server's log has the details.")
        }
    }
}
