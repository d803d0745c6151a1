import Foundation
import Hummingbird
import LedgerStore
import LedgerWebhooks
import Logging

/// The MLflow-compatible endpoint: the subset of MLflow's REST API the `mlflow` Python client needs
/// to log runs and manage the registry, every write a signed event of this device. Listens on
/// 127.0.0.1 by default, and answers only requests that carry its `TrackingToken`.
public enum MLflowServer {
    static let maxJSONBytes = 16 << 20
    /// Uploads stream to disk, so this bounds disk use per file, not memory.
    static let maxArtifactBytes: UInt64 = 64 << 30

    /// Whether a path is MLflow's REST API (token and MLflow errors) rather than a page beside it.
    static func isAPI(_ path: String) -> Bool { path.hasPrefix("/api/") || path.hasPrefix("/ajax-api/") }

    /// The endpoint's routes; `pages` adds routes beside the API (the dashboard, so the tracking URI opens
    /// in a browser), which keep their own sign-in.
    public static func router(
        service: MLflowService, token: TrackingToken, webhooks: Webhooks? = nil, pages: (Router<BasicRequestContext>) -> Void = { _ in }
    ) -> Router<BasicRequestContext> {
        let router = Router(context: BasicRequestContext.self)
        router.add(middleware: MLflowErrorMiddleware())
        router.add(middleware: TrackingTokenMiddleware(token: token))
        router.get("health") { _, _ in "OK" }
        ExperimentRoutes(service: service).register(on: router)
        RunRoutes(service: service).register(on: router)
        MetricRoutes(service: service).register(on: router)
        RegistryRoutes(service: service).register(on: router)
        ArtifactRoutes(service: service).register(on: router)
        MultipartRoutes(service: service).register(on: router)
        LoggedModelRoutes(service: service).register(on: router)
        ClassicRoutes(service: service).register(on: router)
        if let webhooks { WebhookRoutes(webhooks: webhooks).register(on: router) } else { WebhookRoutes.refuse(on: router) }
        pages(router)
        return router
    }

    /// The application; `onListening` receives the bound port (useful with port 0).
    public static func make(
        service: MLflowService, token: TrackingToken, host: String, port: Int, logger: Logger, webhooks: Webhooks? = nil,
        pages: (Router<BasicRequestContext>) -> Void = { _ in }, onListening: @escaping @Sendable (Int) async -> Void = { _ in }
    ) -> some ApplicationProtocol {
        Application(
            router: router(service: service, token: token, webhooks: webhooks, pages: pages),
            configuration: .init(address: .hostname(host, port: port), serverName: "mledger-mlflow"),
            onServerRunning: { channel in await onListening(channel.localAddress?.port ?? port) },
            logger: logger
        )
    }
}
