import Foundation
import LedgerProtocol
import LedgerStore

/// What the relay's API and `mledger serve`'s MLflow routes both do with subscriptions: check them, start
/// them at the current end of the ledger, and send test deliveries; the `DeliveryWorker` does the rest.
public struct Webhooks: Sendable {
    public let store: any WebhookStore
    public let ledger: Ledger
    public let policy: AddressPolicy

    public init(store: any WebhookStore, ledger: Ledger, policy: AddressPolicy) {
        self.store = store
        self.ledger = ledger
        self.policy = policy
    }

    /// The store beside a ledger database: `webhooks.sqlite` in the same folder.
    public static func storePath(besideLedger path: String) -> String {
        URL(fileURLWithPath: path).deletingLastPathComponent().appendingPathComponent("webhooks.sqlite").path
    }

    /// A receiver's URL must be http(s) with a host that does not resolve to a refused address.
    public func checkURL(_ text: String) throws(WebhookError) {
        guard let url = URL(string: text), text.count <= 2048 else { throw .badURL(text) }
        try Resolver.check(url: url, policy: policy)
    }

    /// Subscribes a receiver to events arriving from now on. Without a secret deliveries are not signed
    /// (MLflow allows that; the relay's API asks for one).
    public func create(
        url: String, events: [WebhookEvent], secret: String, name: String?, description: String?, active: Bool = true, createdBy: String?,
        nowMs: Int64 = Int64(wallClockMs())
    ) throws(WebhookError) -> Subscription {
        try checkURL(url)
        guard !events.isEmpty else { throw .unknownEvent("") }
        var id = [UInt8](repeating: 0, count: 16)
        for i in id.indices { id[i] = UInt8.random(in: 0...255) }
        let cursor: Int64
        do { cursor = try ledger.lastArrival() } catch { throw .store("\(error)") }
        let s = Subscription(
            id: Hex.encode(id), name: name ?? url, url: url, events: events, description: description, active: active, secret: secret,
            createdMs: nowMs, createdBy: createdBy, cursor: cursor)
        try store.add(s)
        return s
    }

    /// Sends MLflow's example payload for `event` (default: the subscription's first) now, outside the order.
    public func test(_ id: String, event: WebhookEvent? = nil) async throws(WebhookError) -> AttemptResult {
        let s = try await store.call { try $0.subscription(id) }
        guard let event = event ?? s.events.first else { throw .unknownEvent("") }
        let nowMs = Int64(wallClockMs())
        return await WebhookSender(policy: policy).send(
            to: s.url, secret: s.secret, deliveryID: UUID().uuidString.lowercased(), payload: PayloadBuilder.testPayload(for: event, nowMs: nowMs),
            nowMs: nowMs)
    }
}
