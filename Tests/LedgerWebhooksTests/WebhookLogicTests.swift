import Foundation
import LedgerProtocol
import Testing

@testable import LedgerWebhooks

/// The pure parts of webhooks: MLflow's signature, the event table, backoff, the SSRF address rules and
/// the payload JSON.
@Suite struct WebhookLogicTests {
    /// Reference values from Python's `hmac.new(secret, f"{id}.{ts}.{payload}", sha256)`, as MLflow signs.
    @Test func signaturesMatchMLflows() {
        let payload = Array(#"{"a": 1}"#.utf8)
        #expect(
            WebhookSignature.sign(secret: "topsecret", deliveryID: "d-1", timestamp: "1700000000", payload: payload)
                == "v1,dLlyoLvzMXBMGevyaYT6V0+t4mezLElSEMubsc6YY3Q=")
        // A secret longer than the hash's block is hashed first, as HMAC says.
        #expect(
            WebhookSignature.sign(secret: String(repeating: "k", count: 100), deliveryID: "x", timestamp: "1", payload: [])
                == "v1,rU2wSn7/UkQbOqq1E9P/BHc6yWjORiRgJ50fwZiQdmw=")
        let headers = WebhookSignature.headers(secret: "s", deliveryID: "d", timestampSeconds: 5, payload: payload)
        #expect(headers.first { $0.0 == "X-MLflow-Timestamp" }?.1 == "5")
        #expect(headers.first { $0.0 == "X-MLflow-Delivery-Id" }?.1 == "d")
    }

    @Test func everyLifecycleKindHasOneEvent() throws {
        // Only promotion decisions are more than one event (approved, rejected, completed).
        let kinds = WebhookCatalog.table.map(\.kind).filter { $0 != "model.promotion.decision" }
        #expect(Set(kinds).count == kinds.count)
        #expect(WebhookCatalog.kinds(for: [WebhookCatalog.completed]) == ["model.promotion.decision"])
        for kind in [
            "model.create", "model.version.create", "model.promote", "model.demote", "model.version.archive", "comment.add",
            "deployment.record", "deployment.rollback", "monitor.alert", "model.promotion.request",
        ] {
            #expect(WebhookCatalog.event(forKind: kind) != nil, "\(kind) has no webhook event")
        }
        #expect(WebhookCatalog.event(forKind: "run.metrics") == nil)
        #expect(
            try WebhookCatalog.parse(["model_version.created,model_version_alias.created"]).map(\.name) == [
                "model_version.created", "model_version_alias.created",
            ])
        #expect(try WebhookCatalog.parse(["*"]).count == WebhookCatalog.table.count)
        #expect(WebhookCatalog.kinds(for: [WebhookEvent(entity: "model_version_alias", action: "created")]) == ["model.promote"])
        #expect(throws: WebhookError.unknownEvent("model.promoted")) { try WebhookCatalog.parse(["model.promoted"]) }
        #expect(throws: WebhookError.unknownEvent("")) { try WebhookCatalog.parse([" , "]) }
    }

    @Test func backoffDoublesUpToItsCap() {
        let b = Backoff(baseMs: 1_000, capMs: 60_000)
        #expect((1...8).map { b.delayMs(afterFailures: $0) } == [1_000, 2_000, 4_000, 8_000, 16_000, 32_000, 60_000, 60_000])
        #expect(b.delayMs(afterFailures: 10_000) == 60_000)
        #expect(Backoff(baseMs: 0, capMs: 0).delayMs(afterFailures: 3) == 1)
    }

    @Test func linkLocalAndMetadataAddressesAreRefused() throws {
        let policy = AddressPolicy()
        #expect(policy.refuses(address: [169, 254, 169, 254]))
        #expect(policy.refuses(address: [169, 254, 0, 1]))
        #expect(policy.refuses(address: [100, 100, 100, 200]))
        #expect(!policy.refuses(address: [127, 0, 0, 1]))
        #expect(!policy.refuses(address: [10, 0, 0, 5]))
        #expect(policy.refuses(address: [0xfe, 0x80] + Array(repeating: 0, count: 13) + [1]))
        #expect(policy.refuses(address: Array(repeating: 0, count: 10) + [0xff, 0xff, 169, 254, 169, 254]))
        #expect(!policy.refuses(address: Array(repeating: 0, count: 15) + [1]))
        #expect(policy.refuses(host: "metadata.google.internal."))
        #expect(!AddressPolicy(allowLinkLocal: true).refuses(address: [169, 254, 169, 254]))
        #expect(throws: WebhookError.refusedAddress(host: "169.254.169.254", address: "169.254.169.254")) {
            try Resolver.check(url: try #require(URL(string: "http://169.254.169.254/latest/meta-data")), policy: policy)
        }
        #expect(throws: WebhookError.refusedAddress(host: "fe80::1", address: "fe80:0:0:0:0:0:0:1")) {
            try Resolver.check(url: try #require(URL(string: "http://[fe80::1]:8080/hook")), policy: policy)
        }
        #expect(throws: WebhookError.badURL("file:///etc/passwd")) {
            try Resolver.check(url: try #require(URL(string: "file:///etc/passwd")), policy: policy)
        }
        try Resolver.check(url: try #require(URL(string: "http://127.0.0.1:9/hook")), policy: policy)
    }

    @Test func payloadJSONIsExactAndSorted() throws {
        let value = JSONValue.object([
            "b": .string("quote \" slash \\ line\n\u{1}é"), "a": .array([.int(-3), .double(0.1), .bool(true), .null, .double(.nan)]),
        ])
        let text = String(decoding: value.bytes, as: UTF8.self)
        #expect(text == #"{"a":[-3,0.1,true,null,"NaN"],"b":"quote \" slash \\ line\n\u0001é"}"#)
        let parsed = try #require(try JSONSerialization.jsonObject(with: Data(value.bytes)) as? [String: Any])
        #expect(parsed["b"] as? String == "quote \" slash \\ line\n\u{1}é")
    }

    @Test func deliveryIDsAreStableUUIDs() throws {
        let event = try #require(LedgerIDFixture.id(7))
        let a = Delivery.id(webhook: "w1", event: event)
        #expect(a == Delivery.id(webhook: "w1", event: event))
        #expect(a != Delivery.id(webhook: "w2", event: event))
        #expect(UUID(uuidString: a) != nil)
    }

    @Test func testPayloadsHaveMLflowsShape() throws {
        let bytes = PayloadBuilder.testPayload(for: WebhookEvent(entity: "model_version", action: "created"), nowMs: 1_700_000_000_123)
        let top = try #require(try JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any])
        #expect(top["entity"] as? String == "model_version")
        #expect(top["action"] as? String == "created")
        #expect(top["timestamp"] as? String == "2023-11-14T22:13:20.123+00:00")
        let data = try #require(top["data"] as? [String: Any])
        #expect(Set(data.keys) == ["name", "version", "source", "run_id", "tags", "description"])
    }
}

enum LedgerIDFixture {
    static func id(_ byte: UInt8) -> LedgerID? { LedgerID(hex: String(repeating: String(format: "%02x", byte), count: 32)) }
}
