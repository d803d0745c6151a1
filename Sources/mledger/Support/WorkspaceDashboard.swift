import Foundation
import Hummingbird
import LedgerDashboard
import LedgerProtocol
import LedgerStore
import LedgerWeb

/// The workspace's own dashboard, as `mledger ui` serves it and as `mledger serve` serves it beside the
/// MLflow API (so the tracking URI, and the `View run at ...` links the mlflow client prints, open in a
/// browser). Signing in takes a secret token, through the address `link` makes.
enum WorkspaceDashboard {
    /// Routes that add the dashboard to a router; `command` is named in the help a signed-out visitor sees.
    static func routes(_ session: Session, signer: SigningKey, token: String, command: String) throws -> (Router<BasicRequestContext>) -> Void {
        let viewer = try session.ledger.author(signer.publicKey).label
        let site = DashboardSite(
            ledger: session.ledger, blobs: session.workspace.blobs, login: TokenLogin(token: token, viewer: viewer, command: command),
            writer: DashboardWriter(ledger: session.ledger, key: signer))
        return { router in site.register(on: router) }
    }

    /// The sign-in address of a dashboard that then opens `page`, its slashes left readable.
    static func link(uri: String, token: String, page: String = "/") -> String {
        let next = page.split(separator: "/", omittingEmptySubsequences: false).map { Links.encode(String($0)) }.joined(separator: "/")
        return "\(uri)/login?token=\(Links.encode(token))&next=\(next)"
    }
}
