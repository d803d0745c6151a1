import Hummingbird
import LedgerDashboard
import LedgerProtocol
import LedgerStore
import Logging
import NIOCore

/// Builds the relay: health and metrics in the open, everything under /v1 signed by a member's key, and
/// the team's read-only dashboard behind a sign-in link from `mledger open`.
public enum RelayApplication {
    public static func router(state: RelayState) -> Router<RelayContext> {
        let router = Router(context: RelayContext.self)
        router.get("healthz") { _, _ in "ok\n" }
        router.get("metrics") { _, _ -> Response in
            let (bytes, events) = try await offload { (state.storeBytes(), (try? state.ledger.eventCount()) ?? 0) }
            state.metrics.storeBytes.set(Int64(bytes))
            state.metrics.storedEvents.set(Int64(events))
            return Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4"],
                body: .init(byteBuffer: ByteBuffer(bytes: state.metrics.render())))
        }
        // Not signed: a client asks it before signing anything, to sign for this relay and its team.
        router.get("v1/relay") { _, _ -> Response in
            let audience = state.audience(holding: try await offload { try state.ledger.team() })
            return try JSONResponse.make(
                RelayAnnouncement(relay: Hex.encode(audience.relay), team: audience.team?.hex, logKey: audience.team.map(state.log.verifierKey)))
        }
        let v1 = router.group("v1").add(middleware: RequestAuthenticator(state: state))
        EventRoutes(state: state).register(on: v1)
        BlobRoutes(state: state).register(on: v1)
        WebhookRoutes(state: state).register(on: v1)
        LogRoutes(state: state).register(on: v1)
        DashboardSite(ledger: state.ledger, blobs: state.blobs, login: SignedLinkLogin(ledger: state.ledger)).register(on: router)
        return router
    }

    /// `GET /v1/relay`: which relay this is, which team it serves (absent before it has one), and the
    /// verifier key of its transparency log for that team (SPEC 6.17).
    struct RelayAnnouncement: Codable, Sendable {
        var relay: String
        var team: String?
        var logKey: String?

        enum CodingKeys: String, CodingKey {
            case relay, team
            case logKey = "log_key"
        }
    }

    /// The application; `onListening` receives the bound port (useful with port 0).
    public static func make(
        state: RelayState, logger: Logger, onListening: @escaping @Sendable (Int) async -> Void = { _ in }
    ) -> some ApplicationProtocol {
        let config = state.configuration
        return Application(
            router: router(state: state),
            configuration: .init(address: .hostname(config.host, port: config.port), serverName: "mledger-relay"),
            onServerRunning: { channel in await onListening(channel.localAddress?.port ?? config.port) },
            logger: logger
        )
    }
}
