import Foundation
import LedgerProtocol
import LedgerStore
import Testing

@testable import LedgerWebhooks

/// Cursors, the delivery log and payloads over a real ledger and store on disk.
@Suite struct WebhookStoreTests {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("webhooks-\(UUID().uuidString)")

    func ledgerWithModels() throws -> Ledger {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let ledger = try Ledger(path: folder.appendingPathComponent("ledger.sqlite").path)
        let key = try #require(SigningKey(seed: [UInt8](repeating: 5, count: 32)))
        try ledger.append(try .init(TeamGenesis(name: "hooks")), signer: key)
        try ledger.append(
            [
                try .init(ModelCreate(name: "first")), try .init(ExperimentCreate(name: "e1")), try .init(ExperimentCreate(name: "e2")),
                try .init(ModelCreate(name: "second", description: "the other one")),
            ], signer: key)
        return ledger
    }

    @Test func arrivalsSkipOtherKindsAndSayHowFarTheyLooked() throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        let ledger = try ledgerWithModels()
        let (found, scanned) = try ledger.arrivals(after: 0, kinds: ["model.create"], limit: 10)
        #expect(found.count == 2)
        #expect(found.map(\.position) == [2, 5])
        #expect(scanned == 5)
        let (none, end) = try ledger.arrivals(after: 5, kinds: ["model.create"], limit: 10)
        #expect(none.isEmpty && end == 5)
        let (one, stop) = try ledger.arrivals(after: 0, kinds: ["model.create"], limit: 1)
        #expect(one.map(\.position) == [2] && stop == 2)
        #expect(try ledger.lastArrival() == 5)
    }

    @Test func aFailureKeepsTheCursorAndASuccessMovesIt() throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        let ledger = try ledgerWithModels()
        let path = Webhooks.storePath(besideLedger: ledger.path)
        let webhooks = Webhooks(store: try SQLiteWebhookStore(path: path), ledger: ledger, policy: AddressPolicy())
        let s = try webhooks.create(
            url: "http://127.0.0.1:9/hook", events: try WebhookCatalog.parse(["registered_model.created"]), secret: "k", name: nil, description: nil,
            createdBy: nil)
        #expect(s.cursor == 5, "a subscription starts at the end of the ledger")
        let arrival = try #require(try ledger.arrivals(after: 0, kinds: s.kinds, limit: 1).arrivals.first)
        let id = Delivery.id(webhook: s.id, event: arrival.event.id)
        let delivery = Delivery(
            deliveryID: id, webhook: s.id, event: "registered_model.created", eventID: arrival.event.id.hex, position: arrival.position, attempts: 0,
            delivered: false, responseStatus: nil, error: nil, firstAttemptMs: 0, lastAttemptMs: 0)
        try webhooks.store.skip(s.id, to: 1)
        var renamed = s
        renamed.name = "renamed"
        try webhooks.store.update(renamed, nowMs: 2_000)
        let backoff = Backoff(baseMs: 1_000, capMs: 8_000)
        try webhooks.store.record(delivery, result: AttemptResult(success: false, responseStatus: 500), nowMs: 10_000, backoff: backoff)
        try webhooks.store.record(delivery, result: AttemptResult(success: false, errorMessage: "refused"), nowMs: 11_000, backoff: backoff)
        var now = try webhooks.store.subscription(s.id)
        #expect(now.cursor == 5 && now.failures == 2 && now.nextAttemptMs == 13_000 && now.name == "renamed")

        // Reopened, as after a restart: the state is on disk.
        let reopened = try SQLiteWebhookStore(path: path)
        try reopened.record(delivery, result: AttemptResult(success: true, responseStatus: 204), nowMs: 14_000, backoff: backoff)
        now = try reopened.subscription(s.id)
        #expect(now.failures == 0 && now.nextAttemptMs == 0)
        let log = try reopened.deliveries(webhook: s.id, limit: 100)
        #expect(log.count == 1)
        #expect(log.first?.attempts == 3 && log.first?.delivered == true && log.first?.responseStatus == 204 && log.first?.deliveryID == id)
        #expect(log.first?.firstAttemptMs == 10_000 && log.first?.lastAttemptMs == 14_000)
        try reopened.remove(s.id)
        #expect(throws: WebhookError.notFound(s.id)) { try reopened.subscription(s.id) }
        #expect(throws: WebhookError.notFound(s.id)) { try reopened.remove(s.id) }
    }

    @Test func payloadsNameTheModelAsMLflowDoes() throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        let ledger = try ledgerWithModels()
        let arrivals = try ledger.arrivals(after: 0, kinds: ["model.create"], limit: 10).arrivals
        let event = WebhookEvent(entity: "registered_model", action: "created")
        let bytes = PayloadBuilder(ledger: ledger).payload(for: arrivals[1], as: event)
        #expect(bytes == PayloadBuilder(ledger: ledger).payload(for: arrivals[1], as: event), "every attempt sends the same bytes")
        let top = try #require(try JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any])
        #expect(top["entity"] as? String == "registered_model" && top["action"] as? String == "created")
        let data = try #require(top["data"] as? [String: Any])
        #expect(data["name"] as? String == "second" && data["description"] as? String == "the other one")
        #expect((data["tags"] as? [String: Any])?.isEmpty == true)
        let ledgerFields = try #require(top["ledger"] as? [String: Any])
        #expect(ledgerFields["event_id"] as? String == arrivals[1].event.id.hex && ledgerFields["position"] as? Int == 5)
        #expect(ledgerFields["kind"] as? String == "model.create")
    }
}
