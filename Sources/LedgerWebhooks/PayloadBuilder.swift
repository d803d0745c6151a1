import Foundation
import LedgerModel
import LedgerProtocol
import LedgerStore

/// Turns a stored event into the JSON a receiver gets, shaped as MLflow 3's webhook payloads
/// (`entity`, `action`, `timestamp`, `data`; `data` with MLflow's field names: `name`, `version`,
/// `alias`, `run_id`, `source`, `tags`, `description`) plus what the ledger adds: every field of the
/// signed body (ids in hex), the reason, and under `ledger` the event id, kind, author and position.
/// The timestamp is the event's own time, so every attempt of one delivery sends the same bytes.
public struct PayloadBuilder: Sendable {
    let ledger: Ledger

    public init(ledger: Ledger) {
        self.ledger = ledger
    }

    /// The webhook event a stored event is. A promotion decision is `rejected`, `approved`, or, when it
    /// is the approval that reached its request's quorum (as the ledger computes it now), `completed`.
    public func event(for stored: SignedEvent) -> WebhookEvent? {
        guard stored.envelope.kind == .promotionDecision else { return WebhookCatalog.event(forKind: stored.envelope.kind.rawValue) }
        guard case .promotionDecision(let body) = try? EventBody.decode(kind: .promotionDecision, bytes: stored.envelope.body) else { return nil }
        if body.verdict == .reject { return WebhookCatalog.rejected }
        let request = try? ledger.request(body.request.hex)
        return request?.state == .approved && request?.decidedBy == stored.id.hex ? WebhookCatalog.completed : WebhookCatalog.approved
    }

    public func payload(for arrival: Arrival, as event: WebhookEvent) -> [UInt8] {
        let envelope = arrival.event.envelope
        var data = [String: JSONValue]()
        if case .map(let fields) = (try? CBOR.decode(envelope.body)) ?? .null {
            for (key, value) in fields { data[key] = JSONValue(value) }
        }
        enrich(&data, fields: (try? CBOR.decode(envelope.body)) ?? .null, event: arrival.event)
        let author = try? ledger.author(envelope.author)
        let ledgerFields: [String: JSONValue] = [
            "event_id": .string(arrival.event.id.hex), "kind": .string(envelope.kind.rawValue), "position": .int(arrival.position),
            "author": .string(envelope.author.hex), "author_name": author?.name.map(JSONValue.string) ?? .null,
        ]
        return Self.envelope(event, timestampMs: Int64(HybridClock.milliseconds(envelope.clock)), data: data, ledger: ledgerFields)
    }

    /// MLflow's envelope around `data`.
    static func envelope(_ event: WebhookEvent, timestampMs: Int64, data: [String: JSONValue], ledger: [String: JSONValue]?) -> [UInt8] {
        var top: [String: JSONValue] = [
            "entity": .string(event.entity), "action": .string(event.action), "timestamp": .string(isoTime(ms: timestampMs)), "data": .object(data),
        ]
        if let ledger { top["ledger"] = .object(ledger) }
        return JSONValue.object(top).bytes
    }

    /// MLflow's names for the model and version a body names by id, from the current views.
    private func enrich(_ data: inout [String: JSONValue], fields: CBOR, event: SignedEvent) {
        guard case .map(let body) = fields else { return }
        if case .bytes(let run) = body["run"] {
            data["run_id"] = .string(Hex.encode(run))
            data.removeValue(forKey: "run")
        }
        guard case .bytes(let modelBytes) = body["model"], let modelID = LedgerID(hex: Hex.encode(modelBytes)),
            let model = try? ledger.model(modelID)
        else {
            if event.envelope.kind == .modelCreate {
                data["tags"] = .object([:])
                if data["description"] == nil { data["description"] = .null }
            }
            return
        }
        data["model_id"] = .string(model.id)
        data.removeValue(forKey: "model")
        data["name"] = .string(model.name)
        // A new version's id is its event's id; other events name the version in their body.
        var versionID: String? = event.envelope.kind == .versionCreate ? event.id.hex : nil
        if case .bytes(let v) = body["version"] { versionID = Hex.encode(v) }
        if let versionID, let version = model.versions.first(where: { $0.id == versionID }) {
            data["version_id"] = .string(versionID)
            data["version"] = .string(String(version.number))
            if event.envelope.kind == .versionCreate {
                data["source"] = .string("models:/\(model.name)/\(version.number)")
                data["tags"] = .object([:])
                if data["description"] == nil { data["description"] = .null }
            }
        }
    }

    static func isoTime(ms: Int64) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.string(from: Date(timeIntervalSince1970: Double(ms) / 1000)).replacingOccurrences(of: "Z", with: "+00:00")
    }

    /// MLflow's example payload for a test delivery (`webhook test`), marked as a test.
    public static func testPayload(for event: WebhookEvent, nowMs: Int64) -> [UInt8] {
        let examples: [String: [String: JSONValue]] = [
            "registered_model.created": [
                "name": .string("example_model"), "tags": .object(["example_key": .string("example_value")]),
                "description": .string("An example registered model"),
            ],
            "model_version.created": [
                "name": .string("example_model"), "version": .string("1"), "source": .string("models:/123"), "run_id": .string("abcd1234abcd5678"),
                "tags": .object(["example_key": .string("example_value")]), "description": .string("An example model version"),
            ],
            "model_version_alias.created": ["name": .string("example_model"), "alias": .string("example_alias"), "version": .string("1")],
            "model_version_alias.deleted": ["name": .string("example_model"), "alias": .string("example_alias")],
        ]
        let data = examples[event.name] ?? ["name": .string("example_model")]
        return envelope(event, timestampMs: nowMs, data: data, ledger: ["test": .bool(true)])
    }
}
