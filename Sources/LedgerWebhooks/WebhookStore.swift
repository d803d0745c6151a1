import LedgerProtocol

/// Where subscriptions, their cursors and the delivery log are kept: a SQLite file beside one server's
/// ledger, or a database several relays share. A cursor moves only where a delivery is recorded, so a
/// crash at any point makes the worker send that event again, with the same delivery id. Calls block,
/// and a shared database's store waits in them for its async client: from async code, make them through
/// `call`, on a thread of their own.
public protocol WebhookStore: Sendable {
    func add(_ s: Subscription) throws(WebhookError)
    /// Replaces what can change (name, URL, events, description, status, secret); the cursor stays.
    func update(_ s: Subscription, nowMs: Int64) throws(WebhookError)
    func remove(_ id: String) throws(WebhookError)
    func subscriptions() throws(WebhookError) -> [Subscription]
    func subscription(_ id: String) throws(WebhookError) -> Subscription
    /// Nothing to deliver up to `position`: the cursor moves past events of other kinds.
    func skip(_ webhook: String, to position: Int64) throws(WebhookError)
    /// Logs an attempt at `delivery`; a success moves the cursor to it and clears the failures, a failure
    /// counts one more and sets when to try again.
    func record(_ delivery: Delivery, result: AttemptResult, nowMs: Int64, backoff: Backoff) throws(WebhookError)
    /// The delivery log, newest first; of one subscription when `webhook` is given.
    func deliveries(webhook: String?, limit: Int) throws(WebhookError) -> [Delivery]
    /// Takes or renews, for `leaseMs`, the right to deliver subscription `id`: false while another
    /// `holder` has it. Where several servers deliver from one store, each subscription is delivered by
    /// one at a time, in order; a holder that stops renewing (a crashed relay) loses it when it expires.
    func claim(_ id: String, holder: String, nowMs: Int64, leaseMs: Int64) throws(WebhookError) -> Bool
}

extension WebhookStore {
    /// Runs one or more calls on a thread of their own. Not on the dispatch pool (`offload`): on Linux the
    /// async executor runs on that pool too, and a pool thread blocked while a shared database's async
    /// client works for it can leave that client without a thread until the pool grows (some 100 ms).
    public func call<T: Sendable>(_ work: @escaping @Sendable (Self) throws -> T) async throws(WebhookError) -> T {
        do {
            return try await onOwnThread { try work(self) }
        } catch let error as WebhookError {
            throw error
        } catch {
            throw .store(String(describing: error))
        }
    }
}

extension Delivery {
    /// A delivery's id, the same on every attempt, after restarts and from any relay: a UUID-shaped hash
    /// of the subscription and the event.
    public static func id(webhook: String, event: LedgerID) -> String {
        let h = Hashing.blake2b256(Array("mledger/webhook-delivery/v1".utf8) + Array(webhook.utf8) + event.bytes).bytes.prefix(16).map { $0 }
        let hex = Hex.encode(h)
        let parts = [(0, 8), (8, 12), (12, 16), (16, 20), (20, 32)].map { a, b in
            String(hex[hex.index(hex.startIndex, offsetBy: a)..<hex.index(hex.startIndex, offsetBy: b)])
        }
        return parts.joined(separator: "-")
    }
}
