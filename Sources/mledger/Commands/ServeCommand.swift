import ArgumentParser
import Foundation
import Hummingbird
import LedgerMLflow
import LedgerWebhooks
import Logging

struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve the MLflow-compatible endpoint, so code using the mlflow client logs into this ledger.",
        usage: """
            mledger serve
              MLFLOW_TRACKING_URI=http://127.0.0.1:5000 MLFLOW_TRACKING_TOKEN=<printed> python train.py
            """,
        discussion: """
            Implements the part of MLflow's REST API (/api/2.0/mlflow/...) and proxied artifact routes \
            that the mlflow Python client uses for experiments, runs, params, metrics, tags, artifacts, \
            registered models, versions, stages and aliases. Every write is an event signed by this \
            device, so it shows in `mledger run list`, the audit trail and sync. Stage and alias changes \
            take their reason from the version's `mledger.reason` tag or its description; without one the \
            audit trail marks the reason as missing.

            Every write is signed with your key, so the endpoint answers only requests carrying its \
            token (MLFLOW_TRACKING_TOKEN, printed at start and kept in .mledger/serve.json, readable only \
            by you). While it runs, `mledger run` in this workspace uses it instead of starting its own. \
            The tracking URI also serves this workspace's dashboard: open the dashboard address printed \
            at start (it signs the browser in with the token). MLflow's webhook API \
            (MlflowClient().create_webhook ...) delivers this ledger's lifecycle events, signed as MLflow \
            signs them, at least once and in order, from .mledger/webhooks.sqlite. Stop it with Ctrl-C.
            """
    )

    @Option(help: "Address to listen on.") var host = "127.0.0.1"
    @Option(help: "Port to listen on (0 picks a free one).") var port = 5000
    @Flag(help: "Let webhooks call link-local and cloud metadata addresses (169.254/16, fe80::/10), refused by default.")
    var webhookAllowLinkLocal = false

    func run() async throws {
        let session = try Session.open()
        let signer = try session.signer()
        let service = MLflowService(ledger: session.ledger, signer: signer, blobs: session.workspace.blobs)
        var logger = Logger(label: "mledger-serve")
        logger.logLevel = ProcessInfo.processInfo.environment["LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? .warning
        let host = self.host
        let file = ServeFile(workspace: session.workspace)
        let token = TrackingToken.generate()
        let pages = try WorkspaceDashboard.routes(session, signer: signer, token: token.value, command: "mledger serve")
        // MLflow's webhook API, delivered from this workspace's ledger (.mledger/webhooks.sqlite).
        let policy = AddressPolicy(allowLinkLocal: webhookAllowLinkLocal)
        let store = try SQLiteWebhookStore(path: Webhooks.storePath(besideLedger: session.ledger.path))
        let webhooks = Webhooks(store: store, ledger: session.ledger, policy: policy)
        let deliveries = Task { await DeliveryWorker(store: store, ledger: session.ledger, policy: policy).run() }
        defer { deliveries.cancel() }
        let app = MLflowServer.make(service: service, token: token, host: host, port: port, logger: logger, webhooks: webhooks, pages: pages) {
            port in
            try? file.write(.init(host: host, port: port, pid: getpid(), token: token.value))
            let uri = "http://\(host):\(port)"
            FileHandle.standardOutput.write(
                Data(
                    """
                    MLflow tracking URI: \(uri)  (export MLFLOW_TRACKING_URI=\(uri) MLFLOW_TRACKING_TOKEN=\(token.value))
                    Dashboard: \(WorkspaceDashboard.link(uri: uri, token: token.value))

                    """.utf8))
        }
        defer { file.remove() }
        try await app.runService()
    }
}
