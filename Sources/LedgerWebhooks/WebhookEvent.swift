import Foundation

/// A webhook event as MLflow 3 names it: an entity and an action (`model_version_alias.created`).
public struct WebhookEvent: Hashable, Sendable, Codable, Comparable {
    public var entity: String
    public var action: String

    public init(entity: String, action: String) {
        self.entity = entity
        self.action = action
    }

    /// `entity.action`, the form the CLI takes and the relay lists.
    public var name: String { "\(entity).\(action)" }

    public static func < (a: WebhookEvent, b: WebhookEvent) -> Bool { a.name < b.name }
}

/// The one table from ledger event kinds to webhook events. MLflow's names where MLflow has the event
/// (so its receivers understand ours), the ledger's own where it has none. Kinds recorded by later
/// versions (deployments, alerts) are listed by name: the relay stores them as text, so they are
/// delivered as soon as clients sign them.
public enum WebhookCatalog {
    public static let table: [(kind: String, event: WebhookEvent)] = [
        ("model.create", WebhookEvent(entity: "registered_model", action: "created")),
        ("model.version.create", WebhookEvent(entity: "model_version", action: "created")),
        ("model.promote", WebhookEvent(entity: "model_version_alias", action: "created")),
        ("model.demote", WebhookEvent(entity: "model_version_alias", action: "deleted")),
        ("model.version.archive", WebhookEvent(entity: "model_version", action: "archived")),
        ("comment.add", WebhookEvent(entity: "comment", action: "created")),
        ("deployment.record", WebhookEvent(entity: "deployment", action: "created")),
        ("deployment.rollback", WebhookEvent(entity: "deployment", action: "rolled_back")),
        ("monitor.alert", WebhookEvent(entity: "alert", action: "fired")),
        ("model.promotion.request", WebhookEvent(entity: "promotion_request", action: "created")),
        // A decision is one of three events, by its verdict and by whether it reached the quorum.
        ("model.promotion.decision", approved), ("model.promotion.decision", rejected), ("model.promotion.decision", completed),
    ]

    /// An approval that did not (yet) complete its request, a rejection, and the approval that reached the quorum.
    public static let approved = WebhookEvent(entity: "promotion_request", action: "approved")
    public static let rejected = WebhookEvent(entity: "promotion_request", action: "rejected")
    public static let completed = WebhookEvent(entity: "promotion_request", action: "completed")

    public static var events: [WebhookEvent] { table.map(\.event) }

    /// The event of a kind that is always the same event (every kind but promotion decisions).
    public static func event(forKind kind: String) -> WebhookEvent? {
        table.first { $0.kind == kind }?.event
    }

    /// The ledger kinds that produce any of `events`.
    public static func kinds(for events: [WebhookEvent]) -> [String] {
        table.filter { events.contains($0.event) }.map(\.kind)
    }

    /// Parses `entity.action` names (comma-separated lists allowed); `*` means every event.
    public static func parse(_ names: [String]) throws(WebhookError) -> [WebhookEvent] {
        var out = [WebhookEvent]()
        for name in names.flatMap({ $0.split(separator: ",") }).map({ $0.trimmingCharacters(in: .whitespaces) }) where !name.isEmpty {
            if name == "*" { return events }
            guard let event = events.first(where: { $0.name == name }) else { throw .unknownEvent(name) }
            if !out.contains(event) { out.append(event) }
        }
        guard !out.isEmpty else { throw .unknownEvent("") }
        return out
    }
}
