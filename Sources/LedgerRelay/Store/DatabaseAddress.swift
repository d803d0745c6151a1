import Foundation

/// Where a relay's shared database is: `postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE`. Pure parsing,
/// so a typo is refused with what to write before anything connects.
public struct DatabaseAddress: Sendable, Equatable {
    public var user: String
    public var password: String?
    public var host: String
    public var port: Int
    public var database: String

    public init(_ text: String) throws(RelayStoreError) {
        guard let url = URLComponents(string: text), url.scheme == "postgres" || url.scheme == "postgresql" else {
            throw .badAddress(text, "it must start with postgres://")
        }
        guard let user = url.user, !user.isEmpty else { throw .badAddress(text, "it must name a user (postgres://USER@HOST/DATABASE)") }
        guard let host = url.host, !host.isEmpty else { throw .badAddress(text, "it must name a host") }
        let database = String(url.path.drop { $0 == "/" })
        guard !database.isEmpty, !database.contains("/") else { throw .badAddress(text, "it must name one database after the host") }
        self.user = user
        password = url.password
        self.host = host
        port = url.port ?? 5432
        self.database = database
    }

    /// The address without its password, for logs and the start line.
    public var shown: String { "postgres://\(user)@\(host):\(port)/\(database)" }
}

/// What can go wrong with a relay's store, each saying what to do.
public enum RelayStoreError: Error, Sendable, CustomStringConvertible, Equatable {
    case badAddress(String, String)
    case unreachable(String, String)
    case diverged(String)
    /// The relay's `transparency.sqlite` was signed with another key than the one the database keeps.
    case otherLogKey

    public var description: String {
        switch self {
        case .badAddress(_, let why): "--database is not a PostgreSQL address: \(why)"
        case .unreachable(let address, let why):
            "cannot use the database at \(address): \(why). Check that PostgreSQL runs there and the user may connect."
        case .diverged(let what):
            "this relay's local copy no longer follows the shared database (\(what)): stop it, delete its relay.sqlite and start it again to copy the history afresh"
        case .otherLogKey:
            "this relay's transparency.sqlite was signed with another log key than the shared database keeps: remove that file and start the relay again (the log is rebuilt from the ledger)"
        }
    }
}
