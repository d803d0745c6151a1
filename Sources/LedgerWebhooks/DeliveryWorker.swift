import Foundation
import LedgerProtocol
import LedgerStore
import Synchronization

/// Delivers each subscription's events in arrival order, one at a time, from its persisted cursor: an
/// event is sent until a 2xx answer, with exponential backoff between failed attempts, and only then
/// does the cursor pass it. Subscriptions do not wait for each other. A restart resumes from the
/// cursors, so every event is delivered at least once; a repeat carries the same delivery id.
public final class DeliveryWorker: Sendable {
    let store: WebhookStore
    let ledger: Ledger
    let sender: WebhookSender
    let backoff: Backoff
    let pollMs: Int
    let payloads: PayloadBuilder
    private let busy = Mutex<Set<String>>([])

    public init(store: WebhookStore, ledger: Ledger, policy: AddressPolicy, backoff: Backoff = Backoff(), pollMs: Int = 200) {
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
                let now = Int64(wallClockMs())
                for s in (try? store.subscriptions()) ?? [] where s.active && s.nextAttemptMs <= now && claim(s.id) {
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

    /// Delivers what is due to one subscription, until it is up to date or an attempt fails.
    func drain(_ id: String) async {
        while !Task.isCancelled {
            guard let s = try? store.subscription(id), s.active, s.nextAttemptMs <= Int64(wallClockMs()) else { return }
            guard let (found, scannedTo) = try? ledger.arrivals(after: s.cursor, kinds: s.kinds, limit: 64) else { return }
            if found.isEmpty {
                guard scannedTo > s.cursor else { return }
                try? store.skip(id, to: scannedTo)
                continue
            }
            for arrival in found {
                guard !Task.isCancelled, let event = WebhookCatalog.event(forKind: arrival.event.envelope.kind.rawValue) else { return }
                // Re-read: the subscription may have been removed or disabled meanwhile.
                guard let current = try? store.subscription(id), current.active else { return }
                let delivery = Delivery(
                    deliveryID: WebhookStore.deliveryID(webhook: id, event: arrival.event.id), webhook: id, event: event.name,
                    eventID: arrival.event.id.hex, position: arrival.position, attempts: 0, delivered: false, responseStatus: nil, error: nil,
                    firstAttemptMs: 0, lastAttemptMs: 0)
                let payload = payloads.payload(for: arrival, as: event)
                let result = await sender.send(to: current.url, secret: current.secret, deliveryID: delivery.deliveryID, payload: payload)
                do {
                    try store.record(delivery, result: result, nowMs: Int64(wallClockMs()), backoff: backoff)
                } catch {
                    return
                }
                guard result.success else { return }
            }
        }
    }
}
