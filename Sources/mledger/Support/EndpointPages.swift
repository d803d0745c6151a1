import Foundation
import Hummingbird
import LedgerDashboard
import LedgerMLflow
import LedgerProtocol
import LedgerStore
import LedgerWeb

/// The workspace's dashboard beside the MLflow API of `mledger serve`, so the tracking URI (and the
/// `View run at ...` links the mlflow client prints) opens in a browser. Signing in takes the endpoint's
/// token, through the address `dashboardLink` makes.
enum EndpointPages {
    static func register(
        _ session: Session, signer: SigningKey, token: TrackingToken, command: String
    ) throws -> (Router<BasicRequestContext>) -> Void {
        let viewer = try session.ledger.author(signer.publicKey).label
        let site = DashboardSite(
            ledger: session.ledger, login: TokenLogin(token: token.value, viewer: viewer, command: command),
            writer: DashboardWriter(ledger: session.ledger, key: signer))
        return { router in site.register(on: router) }
    }

    /// The sign-in address of a dashboard (`mledger serve`'s or `mledger ui`'s) that then opens `page`,
    /// its slashes left readable.
    static func dashboardLink(uri: String, token: String, page: String = "/") -> String {
        let next = page.split(separator: "/", omittingEmptySubsequences: false).map { Links.encode(String($0)) }.joined(separator: "/")
        return "\(uri)/login?token=\(Links.encode(token))&next=\(next)"
    }
}
