import Foundation
import Hummingbird
import LedgerProtocol
import LedgerWebhooks

/// `/v1/webhooks`: the team's webhook subscriptions, for maintainers and admins (a subscription sees every
/// lifecycle event of the team and calls out of the relay's network). Subscriptions are relay state, not
/// signed events; the secret is never listed back.
struct WebhookRoutes {
    let state: RelayState

    func register(on group: RouterGroup<RelayContext>) {
        group.get("webhooks", use: list)
        group.post("webhooks", use: create)
        group.get("webhooks/deliveries", use: deliveries)
        group.delete("webhooks/:id", use: remove)
        group.post("webhooks/:id/test", use: test)
    }

    struct CreateRequest: Decodable {
        var url: String
        var events: [String]
        var secret: String
        var name: String?
        var description: String?
    }

    struct Listing: Encodable {
        var webhooks: [Subscription]
    }

    struct DeliveryLog: Encodable {
        var deliveries: [Delivery]
    }

    struct TestRequest: Decodable {
        var event: String?
    }

    /// Webhooks reach outside the team: only maintainers and admins manage them.
    private func requireMaintainer(_ context: RelayContext) throws {
        guard let role = context.role, role >= .maintainer else {
            throw RelayError.forbidden(
                "managing webhooks needs the maintainer or admin role: ask a team admin (`mledger team add KEY --role maintainer`)")
        }
    }

    private static func refusal(_ error: WebhookError) -> RelayError {
        switch error {
        case .notFound: return RelayError(status: .notFound, code: "not_found", message: error.description)
        case .store: return RelayError(status: .internalServerError, code: "webhook_store", message: error.description)
        default: return RelayError.badRequest("bad_webhook", error.description)
        }
    }

    @Sendable func list(_ request: Request, context: RelayContext) async throws -> Response {
        try requireMaintainer(context)
        let store = state.webhooks.store
        do { return try JSONResponse.make(Listing(webhooks: try await store.call { try $0.subscriptions() })) } catch let e as WebhookError {
            throw Self.refusal(e)
        }
    }

    @Sendable func create(_ request: Request, context: RelayContext) async throws -> Response {
        try requireMaintainer(context)
        let body = try await request.body.collect(upTo: 64 << 10)
        guard let asked = try? JSONDecoder().decode(CreateRequest.self, from: Data(buffer: body)) else {
            throw RelayError.badRequest("bad_webhook", "the body must be JSON: {\"url\", \"events\": [\"model_version.created\", ...], \"secret\"}")
        }
        let webhooks = state.webhooks
        let signer = context.signer?.hex
        do {
            guard !asked.secret.isEmpty else { throw WebhookError.missingSecret }
            let events = try WebhookCatalog.parse(asked.events)
            let created = try await onOwnThread {
                try webhooks.create(
                    url: asked.url, events: events, secret: asked.secret, name: asked.name, description: asked.description, createdBy: signer)
            }
            return try JSONResponse.make(created, status: .created)
        } catch let e as WebhookError {
            throw Self.refusal(e)
        }
    }

    @Sendable func remove(_ request: Request, context: RelayContext) async throws -> Response {
        try requireMaintainer(context)
        let id = try context.parameters.require("id")
        let store = state.webhooks.store
        do { try await store.call { try $0.remove(id) } } catch let e as WebhookError { throw Self.refusal(e) }
        return try JSONResponse.make(["removed": id])
    }

    @Sendable func test(_ request: Request, context: RelayContext) async throws -> Response {
        try requireMaintainer(context)
        let id = try context.parameters.require("id")
        let body = try await request.body.collect(upTo: 64 << 10)
        let asked = body.readableBytes == 0 ? TestRequest() : (try? JSONDecoder().decode(TestRequest.self, from: Data(buffer: body))) ?? TestRequest()
        do {
            let event = try asked.event.map { name throws(WebhookError) in try WebhookCatalog.parse([name])[0] }
            return try JSONResponse.make(try await state.webhooks.test(id, event: event))
        } catch let e as WebhookError {
            throw Self.refusal(e)
        }
    }

    @Sendable func deliveries(_ request: Request, context: RelayContext) async throws -> Response {
        try requireMaintainer(context)
        let query = request.uri.queryParameters
        let webhook = query["webhook"].map(String.init)
        let limit = min(max(query["limit"].flatMap { Int(String($0)) } ?? 100, 1), 10_000)
        let store = state.webhooks.store
        do {
            return try JSONResponse.make(DeliveryLog(deliveries: try await store.call { try $0.deliveries(webhook: webhook, limit: limit) }))
        } catch let e as WebhookError {
            throw Self.refusal(e)
        }
    }
}
