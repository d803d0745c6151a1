import Hummingbird
import LedgerDashboard
import LedgerProtocol
import LedgerStore
import Logging
import NIOCore
import ServiceLifecycle

/// Builds the relay: health and metrics in the open, everything under /v1 signed by a member's key, and
/// the team's read-only dashboard behind a sign-in link from `mledger open`.
public enum RelayApplication {
    public static func router(state: RelayState) -> Router<RelayContext> {
        let router = Router(context: RelayContext.self)
        router.add(middleware: RefusalCounter(metrics: state.metrics))
        router.add(middleware: CatchUp(store: state.store))
        // 200 only when the store answers: a balancer takes a relay whose database is gone out of rotation.
        router.get("healthz") { _, _ -> Response in
            do {
                try await state.store.ping()
                return Response(status: .ok, body: .init(byteBuffer: ByteBuffer(string: "ok\n")))
            } catch {
                return Response(status: .serviceUnavailable, body: .init(byteBuffer: ByteBuffer(string: "database unavailable\n")))
            }
        }
        router.get("metrics") { _, _ -> Response in
            let bytes = try await offload { state.storeBytes() }
            let events = (try? await state.store.eventCount()) ?? 0
            let clock = ContinuousClock()
            let roundTrip = try? await clock.measure { try await state.store.ping() }
            state.metrics.databaseRoundTrip.set(roundTrip.map { Double($0.nanoseconds) / 1e9 } ?? -1)
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
                RelayAnnouncement(
                    relay: Hex.encode(audience.relay), team: audience.team?.hex,
                    logKey: audience.team.map(state.log.verifierKey)))
        }
        let v1 = router.group("v1").add(middleware: RequestAuthenticator(state: state))
        EventRoutes(state: state).register(on: v1)
        BlobRoutes(state: state).register(on: v1)
        WebhookRoutes(state: state).register(on: v1)
        LogRoutes(state: state, log: state.log).register(on: v1)
        DashboardSite(
            ledger: state.ledger, blobs: state.blobs, login: SignedLinkLogin(ledger: state.ledger, acceptNonce: state.store.acceptNonce),
            sessions: DashboardSessions(backend: state.store.sessions),
            ownLog: { try state.ledger.team().map { try state.log.view(ledger: state.ledger, team: $0) } }
        ).register(on: router)
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

    /// Serves until SIGTERM or SIGINT. Requests in flight get `grace` to finish and are then cancelled,
    /// so a request waiting on an unreachable database cannot keep the relay from stopping.
    public static func run(_ app: some ApplicationProtocol, logger: Logger, grace: Duration = .seconds(10)) async throws {
        var configuration = ServiceGroupConfiguration(
            services: [.init(service: app)], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        configuration.maximumGracefulShutdownDuration = grace
        configuration.maximumCancellationDuration = .seconds(5)
        try await ServiceGroup(configuration: configuration).run()
    }
}
