import Foundation
import LedgerProtocol
import LedgerStore
import Synchronization

/// Delivers each subscription's events in arrival order, one at a time, from its persisted cursor: an
/// event is sent until a 2xx answer, with exponential backoff between failed attempts, and only then
/// does the cursor pass it. Subscriptions do not wait for each other. A restart resumes from the
/// cursors, so every event is delivered at least once; a repeat carries the same delivery id. Where
/// several relays share a store, each subscription is delivered by whichever holds its lease (`claim`),
/// renewed before every attempt.
public final class DeliveryWorker: Sendable {
    /// Longer than one attempt may last (a receiver that does not answer holds it for up to 120 s), so a
    /// lease never runs out under an attempt in flight.
    static let leaseMs: Int64 = 180_000
    let store: any WebhookStore
    let ledger: Ledger
    let sender: WebhookSender
    let backoff: Backoff
    let pollMs: Int
    let payloads: PayloadBuilder
    /// Names this worker in leases: stable across its restarts, so a restarted relay takes its own back.
    let holder: String
    /// Runs before each look for due events (a relay brings its ledger up to a shared store).
    let refresh: @Sendable () async -> Void
    /// Told of every attempt (the relay counts them for /metrics).
    let onAttempt: @Sendable (AttemptResult) -> Void
    private let busy = Mutex<Set<String>>([])

    public init(
        store: any WebhookStore, ledger: Ledger, policy: AddressPolicy, backoff: Backoff = Backoff(), pollMs: Int = 200,
        holder: String = ProcessInfo.processInfo.hostName, refresh: @escaping @Sendable () async -> Void = {},
        onAttempt: @escaping @Sendable (AttemptResult) -> Void = { _ in }
    ) {
        self.holder = holder
        self.refresh = refresh
        self.onAttempt = onAttempt
        self.store = store
        self.ledger = ledger
        self.sender = WebhookSender(policy: policy)
        self.backoff = backoff
        self.pollMs = pollMs
        self.payloads = PayloadBuilder(ledger: ledger)
    }

    /// Runs until the task is cancelled; a delivery in flight is finished first.
    public func run() async {
        await withDiscardingTaskGroup { group in
            while !Task.isCancelled {
                await refresh()
                let now = Int64(wallClockMs())
                let store = self.store
                for s in (try? await store.call { try $0.subscriptions() }) ?? [] where s.active && s.nextAttemptMs <= now && claim(s.id) {
                    group.addTask {
                        await self.drain(s.id)
                        self.busy.withLock { _ = $0.remove(s.id) }
                    }
                }
                try? await Task.sleep(for: .milliseconds(pollMs))
            }
        }
    }

    private func claim(_ id: String) -> Bool {
        busy.withLock { $0.insert(id).inserted }
    }

    /// Delivers what is due to one subscription, until it is up to date or an attempt fails. Ledger
    /// reads run on the dispatch pool, store calls on threads of their own (`WebhookStore.call`).
    func drain(_ id: String) async {
        let store = self.store
        let ledger = self.ledger
        while !Task.isCancelled {
            guard await holdsLease(id), let s = try? await store.call({ try $0.subscription(id) }), s.active,
                s.nextAttemptMs <= Int64(wallClockMs()),
                let (found, scannedTo) = try? await offload({ try ledger.arrivals(after: s.cursor, kinds: s.kinds, limit: 64) })
            else { return }
            if found.isEmpty {
                guard scannedTo > s.cursor, (try? await store.call { try $0.skip(id, to: scannedTo) }) != nil else { return }
                continue
            }
            let payloads = self.payloads
            for arrival in found {
                guard !Task.isCancelled, await holdsLease(id), let event = try? await offload({ payloads.event(for: arrival.event) }),
                    // Re-read: the subscription may have been removed, disabled or changed meanwhile.
                    let current = try? await store.call({ try $0.subscription(id) }), current.active
                else { return }
                // One kind can be several events (promotion decisions): pass over those not subscribed to.
                guard current.events.contains(event) else {
                    guard (try? await store.call { try $0.skip(id, to: arrival.position) }) != nil else { return }
                    continue
                }
                guard await deliver(arrival, as: event, to: current) else { return }
            }
        }
    }

    /// Takes or renews the lease on a subscription; false when another worker holds it.
    private func holdsLease(_ id: String) async -> Bool {
        let (store, holder) = (self.store, self.holder)
        return (try? await store.call { try $0.claim(id, holder: holder, nowMs: Int64(wallClockMs()), leaseMs: Self.leaseMs) }) == true
    }

    /// One attempt at one event, recorded; true when it was delivered.
    private func deliver(_ arrival: Arrival, as event: WebhookEvent, to s: Subscription) async -> Bool {
        let delivery = Delivery(
            deliveryID: Delivery.id(webhook: s.id, event: arrival.event.id), webhook: s.id, event: event.name,
            eventID: arrival.event.id.hex, position: arrival.position, attempts: 0, delivered: false, responseStatus: nil, error: nil,
            firstAttemptMs: 0, lastAttemptMs: 0)
        let payloads = self.payloads
        guard let payload = try? await offload({ payloads.payload(for: arrival, as: event) }) else { return false }
        let result = await sender.send(to: s.url, secret: s.secret, deliveryID: delivery.deliveryID, payload: payload)
        onAttempt(result)
        let store = self.store
        let backoff = self.backoff
        guard (try? await store.call { try $0.record(delivery, result: result, nowMs: Int64(wallClockMs()), backoff: backoff) }) != nil else {
            return false
        }
        return result.success
    }
}
