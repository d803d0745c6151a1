/// A receiver subscribed to some webhook events, with its delivery state. The secret signs deliveries and
/// is never listed.
public struct Subscription: Codable, Sendable, Equatable {
    public var id: String
    public var name: String
    public var url: String
    public var events: [WebhookEvent]
    public var description: String?
    public var active: Bool
    public var createdMs: Int64
    public var updatedMs: Int64
    /// The key (hex) of the member who subscribed it, when a relay member did.
    public var createdBy: String?
    /// Arrival position of the last event handled (delivered, or not of its events).
    public var cursor: Int64
    /// Failed attempts in a row at the event after `cursor`, and when the next one is due.
    public var failures: Int
    public var nextAttemptMs: Int64
    public var secret: String = ""

    enum CodingKeys: String, CodingKey {
        case id, name, url, events, description, active, createdMs, updatedMs, createdBy, cursor, failures, nextAttemptMs
    }

    public init(
        id: String, name: String, url: String, events: [WebhookEvent], description: String?, active: Bool, secret: String,
        createdMs: Int64, createdBy: String?, cursor: Int64
    ) {
        self.id = id
        self.name = name
        self.url = url
        self.events = events
        self.description = description
        self.active = active
        self.secret = secret
        self.createdMs = createdMs
        self.updatedMs = createdMs
        self.createdBy = createdBy
        self.cursor = cursor
        self.failures = 0
        self.nextAttemptMs = 0
    }

    /// The ledger kinds this subscription hears.
    public var kinds: Set<String> { Set(WebhookCatalog.kinds(for: events)) }

    /// A subscription as a store keeps it: its events as comma-separated names (unknown ones dropped).
    public static func stored(
        id: String, name: String, url: String, eventNames: String, description: String?, active: Bool, secret: String, createdMs: Int64,
        updatedMs: Int64, createdBy: String?, cursor: Int64, failures: Int, nextAttemptMs: Int64
    ) -> Subscription {
        let names = eventNames.split(separator: ",").map(String.init)
        var s = Subscription(
            id: id, name: name, url: url, events: (try? WebhookCatalog.parse(names)) ?? [], description: description, active: active,
            secret: secret, createdMs: createdMs, createdBy: createdBy, cursor: cursor)
        s.updatedMs = updatedMs
        s.failures = failures
        s.nextAttemptMs = nextAttemptMs
        return s
    }

    /// Its events as a store keeps them.
    public var eventNames: String { events.map(\.name).joined(separator: ",") }
}

/// One entry of the delivery log: one event for one subscription, with its attempts so far. Retries of it
/// carry the same delivery id, so a receiver can drop a duplicate it already handled.
public struct Delivery: Codable, Sendable, Equatable {
    public var deliveryID: String
    public var webhook: String
    public var event: String
    public var eventID: String
    public var position: Int64
    public var attempts: Int
    public var delivered: Bool
    public var responseStatus: Int?
    public var error: String?
    public var firstAttemptMs: Int64
    public var lastAttemptMs: Int64

    public init(
        deliveryID: String, webhook: String, event: String, eventID: String, position: Int64, attempts: Int, delivered: Bool,
        responseStatus: Int?, error: String?, firstAttemptMs: Int64, lastAttemptMs: Int64
    ) {
        self.deliveryID = deliveryID
        self.webhook = webhook
        self.event = event
        self.eventID = eventID
        self.position = position
        self.attempts = attempts
        self.delivered = delivered
        self.responseStatus = responseStatus
        self.error = error
        self.firstAttemptMs = firstAttemptMs
        self.lastAttemptMs = lastAttemptMs
    }
}

/// How one attempt went: the receiver's HTTP status (2xx is delivered), or why there was none.
public struct AttemptResult: Codable, Sendable, Equatable {
    public var success: Bool
    public var responseStatus: Int?
    public var responseBody: String?
    public var errorMessage: String?

    public init(success: Bool, responseStatus: Int? = nil, responseBody: String? = nil, errorMessage: String? = nil) {
        self.success = success
        self.responseStatus = responseStatus
        self.responseBody = responseBody
        self.errorMessage = errorMessage
    }
}
