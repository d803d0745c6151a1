import LedgerProtocol

/// Where an imported event came from (SPEC 6.14), as views show it: the signed provenance itself. The
/// event's own author is the importer.
public typealias ImportView = Provenance

extension Provenance {
    /// One line for people: "imported from mlflow http://host:5000, originally by ada at 2025-03-01 10:00:00 (state at import)".
    public func summary(time format: (Int64) -> String) -> String {
        var s = "imported from \(system) \(source)"
        if let user { s += ", originally by \(user)" }
        if let time { s += user == nil ? ", originally at \(format(time))" : " at \(format(time))" }
        if stateAtImport { s += ", state at import" }
        return s
    }
}
