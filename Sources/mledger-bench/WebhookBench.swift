import Foundation
import LedgerProtocol
import LedgerStore
import LedgerWebhooks

/// Webhook deliveries end to end in one process: the delivery worker reads a ledger's lifecycle events in
/// order, builds and signs each payload, POSTs it over loopback to a receiver that answers at once, and
/// records it durably (one synchronous commit per delivery, which moves the cursor).
func runWebhookBench(in temp: URL) async throws {
    let key = SigningKey(seed: [UInt8](repeating: 0x33, count: 32))!
    let count = scaled(2_000)
    let ledger = try Ledger(path: temp.appendingPathComponent("webhooks-ledger.sqlite").path)
    try ledger.append(try .init(TeamGenesis(name: "bench")), signer: key)
    var i = 0
    while i < count {
        try ledger.append(try (i..<min(i + 1000, count)).map { try Ledger.Draft(ModelCreate(name: "model-\($0)")) }, signer: key)
        i += 1000
    }
    let receiver = try BenchReceiver()
    defer { receiver.stop() }
    let store = try SQLiteWebhookStore(path: temp.appendingPathComponent("webhooks.sqlite").path)
    let subscription = Subscription(
        id: "bench", name: "bench", url: "http://127.0.0.1:\(receiver.port)/hook", events: try WebhookCatalog.parse(["registered_model.created"]),
        description: nil, active: true, secret: "bench-secret", createdMs: 0, createdBy: nil, cursor: 0)
    try store.add(subscription)
    let last = try ledger.lastArrival()
    let worker = DeliveryWorker(store: store, ledger: ledger, policy: AddressPolicy(), pollMs: 20)
    print("Webhooks (one subscription, model.create events, loopback receiver answering at once):")
    let elapsed = try await asyncSeconds {
        let task = Task { await worker.run() }
        while try store.subscription("bench").cursor < last { try await Task.sleep(for: .milliseconds(20)) }
        task.cancel()
        await task.value
    }
    let delivered = try store.deliveries(webhook: "bench", limit: count + 10).filter(\.delivered).count
    report("signed deliveries, in order, durable log", delivered, "deliveries", elapsed, note: "  (\(count) events, HMAC-SHA256, fsync per delivery)")
}
