import Foundation
import Hummingbird
import LedgerProtocol
import LedgerStore
import LedgerWebhooks

/// MLflow 3's webhook API (`/api/2.0/mlflow/webhooks`: create, list, get, update, delete, test) on the
/// ledger's webhooks: the same store, payloads, signatures and delivery worker as the relay's, fed by
/// this workspace's ledger. Events are MLflow's protobuf JSON (`{"entity": "MODEL_VERSION", "action":
/// "CREATED"}`); only the events the ledger emits can be subscribed.
struct WebhookRoutes {
    let webhooks: Webhooks

    static let base = "/api/2.0/mlflow/webhooks"

    func register(on router: Router<BasicRequestContext>) {
        let w = webhooks
        router.mlflow(.post, Self.base) { r in
            let created = try Self.storeCall {
                try w.create(
                    url: try r.required("url"), events: try Self.events(r.fields["events"]), secret: r.string("secret") ?? "",
                    name: try r.required("name"), description: r.string("description").flatMap { $0.isEmpty ? nil : $0 },
                    active: try Self.active(r.string("status")) ?? true, createdBy: nil)
            }
            return ["webhook": Self.json(created)]
        }
        router.mlflow(.get, Self.base) { r in
            let all = try Self.storeCall { try w.store.subscriptions() }
            let size = Int(try r.int64("max_results") ?? 100)
            guard (1...1000).contains(size) else { throw MLflowError.invalid("max_results must be between 1 and 1000") }
            let start = Int(r.string("page_token") ?? "0") ?? 0
            guard start >= 0, start <= all.count else { throw MLflowError.invalid("page_token is not one this server gave") }
            let end = min(start + size, all.count)
            var answer: [String: Any] = ["webhooks": all[start..<end].map(Self.json)]
            if end < all.count { answer["next_page_token"] = String(end) }
            return answer
        }
        router.mlflow(.get, Self.base + "/:webhook_id") { r in
            ["webhook": Self.json(try Self.storeCall { try w.store.subscription(try r.required("webhook_id")) })]
        }
        router.mlflow(.patch, Self.base + "/:webhook_id") { r in
            var s = try Self.storeCall { try w.store.subscription(try r.required("webhook_id")) }
            if let name = r.string("name"), !name.isEmpty { s.name = name }
            if let description = r.string("description") { s.description = description.isEmpty ? nil : description }
            if let url = r.string("url"), !url.isEmpty {
                try Self.storeCall { try w.checkURL(url) }
                s.url = url
            }
            if let events = r.fields["events"], !((events as? [Any])?.isEmpty ?? true) { s.events = try Self.events(events) }
            if let secret = r.string("secret") { s.secret = secret }
            if let active = try Self.active(r.string("status")) { s.active = active }
            try Self.storeCall { try w.store.update(s, nowMs: Int64(wallClockMs())) }
            return ["webhook": Self.json(try Self.storeCall { try w.store.subscription(s.id) })]
        }
        router.mlflow(.delete, Self.base + "/:webhook_id") { r in
            try Self.storeCall { try w.store.remove(try r.required("webhook_id")) }
            return [:]
        }
        // A test waits for the receiver's answer: run outside the JSON helper, which is synchronous.
        router.on(RouterPath(Self.base + "/:webhook_id/test"), method: .post) { request, context -> Response in
            let body = Array(buffer: try await request.body.collect(upTo: MLflowServer.maxJSONBytes))
            let r = try MLflowRequest(body: body, query: [])
            let id = context.parameters.get("webhook_id") ?? ""
            let event = try r.fields["event"].map { try Self.event($0) }
            let result: AttemptResult
            do { result = try await w.test(id, event: event) } catch let e as WebhookError { throw Self.mlflowError(e) }
            var json: [String: Any] = ["success": result.success]
            if let status = result.responseStatus { json["response_status"] = status }
            if let body = result.responseBody { json["response_body"] = body }
            if let message = result.errorMessage { json["error_message"] = message }
            let data = try JSONSerialization.data(withJSONObject: ["result": json], options: [.sortedKeys])
            return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: data)))
        }
    }

    /// Without a webhook store (an endpoint started by `mledger run`), the routes say where webhooks live.
    static func refuse(on router: Router<BasicRequestContext>) {
        for (method, path) in [
            (HTTPRequest.Method.get, ""), (.post, ""), (.get, "/{id}"), (.patch, "/{id}"), (.delete, "/{id}"), (.post, "/{id}/test"),
        ] {
            router.mlflow(method, base + path) { _ in
                throw MLflowError(.notImplemented, "this endpoint has no webhooks: manage them on `mledger serve` or the relay (`mledger webhook`)")
            }
        }
    }

    /// Webhook errors as MLflow's: unknown ids are RESOURCE_DOES_NOT_EXIST, bad input INVALID_PARAMETER_VALUE.
    static func mlflowError(_ error: WebhookError) -> MLflowError {
        switch error {
        case .notFound(let id): return MLflowError.notFound("Webhook with ID \(id) not found.")
        case .store: return MLflowError(.internalError, error.description)
        default: return MLflowError.invalid(error.description)
        }
    }

    static func storeCall<T>(_ body: () throws -> T) throws -> T {
        do { return try body() } catch let error as WebhookError { throw mlflowError(error) }
    }

    static func events(_ value: Any?) throws -> [WebhookEvent] {
        guard let list = value as? [Any], !list.isEmpty else {
            throw MLflowError.invalid(
                "Missing value for required parameter 'events'. See the API docs for more information about request parameters.")
        }
        return try list.map(event)
    }

    /// `{"entity": "MODEL_VERSION", "action": "CREATED"}` (protobuf enum names) as one of the ledger's events.
    static func event(_ value: Any) throws -> WebhookEvent {
        guard let map = value as? [String: Any], let entity = map["entity"] as? String, let action = map["action"] as? String else {
            throw MLflowError.invalid("a webhook event is {\"entity\": ..., \"action\": ...}")
        }
        let event = WebhookEvent(entity: entity.lowercased(), action: action.lowercased())
        guard WebhookCatalog.events.contains(event) else {
            let known = WebhookCatalog.events.map(\.name).joined(separator: ", ")
            throw MLflowError.invalid("the ledger does not emit \(event.name) webhooks; it emits \(known)")
        }
        return event
    }

    static func active(_ status: String?) throws -> Bool? {
        switch status?.uppercased() {
        case nil, "": return nil
        case "ACTIVE": return true
        case "DISABLED": return false
        default: throw MLflowError.invalid("status must be ACTIVE or DISABLED")
        }
    }

    static func json(_ s: Subscription) -> [String: Any] {
        var out: [String: Any] = [
            "webhook_id": s.id, "name": s.name, "url": s.url, "status": s.active ? "ACTIVE" : "DISABLED",
            "events": s.events.map { ["entity": $0.entity.uppercased(), "action": $0.action.uppercased()] },
            "creation_timestamp": s.createdMs, "last_updated_timestamp": s.updatedMs,
        ]
        if let description = s.description { out["description"] = description }
        return out
    }
}
