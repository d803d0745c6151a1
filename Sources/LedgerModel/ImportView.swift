/// Where an imported event came from (SPEC 6.14), as views show it: "imported from SOURCE, originally by
/// USER at TIME". The event's own author is the importer.
public struct ImportView: Codable, Sendable, Equatable {
    public var system: String
    public var source: String
    public var object: String
    public var ids: [String: String]
    public var user: String?
    public var time: Int64?
    public var updated: Int64?
    public var data: [String: String]
    /// The event records the state the source held at import; the source kept no history of it.
    public var stateAtImport: Bool

    public init(
        system: String, source: String, object: String, ids: [String: String], user: String?, time: Int64?, updated: Int64?,
        data: [String: String], stateAtImport: Bool
    ) {
        self.system = system
        self.source = source
        self.object = object
        self.ids = ids
        self.user = user
        self.time = time
        self.updated = updated
        self.data = data
        self.stateAtImport = stateAtImport
    }

    /// One line for people: "imported from mlflow http://host:5000, originally by ada at 2025-03-01 10:00:00 (state at import)".
    public func summary(time format: (Int64) -> String) -> String {
        var s = "imported from \(system) \(source)"
        if let user { s += ", originally by \(user)" }
        if let time { s += user == nil ? ", originally at \(format(time))" : " at \(format(time))" }
        if stateAtImport { s += ", state at import" }
        return s
    }
}
