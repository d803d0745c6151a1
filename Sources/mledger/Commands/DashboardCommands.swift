import ArgumentParser
import Foundation
import Hummingbird
import LedgerDashboard
import LedgerProtocol
import LedgerStore
import LedgerWeb

struct UI: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ui",
        abstract: "Browse this workspace's ledger in a web browser, offline.",
        usage: "mledger ui\n  mledger ui --port 0 --no-browser\n  mledger ui --page /models",
        discussion: """
            Serves the dashboard (experiments, runs tables, run pages with charts, comparisons, the model \
            registry and audit timelines) from this workspace's own ledger on 127.0.0.1 only. The printed \
            address carries a secret token; other users of this machine cannot use the dashboard without it. \
            Comments and promotions made here are signed with this device's key, like the CLI's. Stop with Ctrl-C.
            """
    )
    @Option(help: "The port on 127.0.0.1 (0 picks a free one).") var port = 8480
    @Option(help: "The dashboard page to open, such as /models or /runs/RUN_ID.") var page = "/"
    @Flag(help: "Only print the address; do not start a browser.") var noBrowser = false

    func validate() throws { try DashboardPage.check(page) }

    func run() async throws {
        let session = try Session.open()
        let key = try session.signer()
        let token = Hex.encode(secureRandomBytes(16))
        let router = Router()
        try WorkspaceDashboard.routes(session, signer: key, token: token, command: "mledger ui")(router)
        let noBrowser = noBrowser
        let page = page
        let app = Application(
            router: router,
            configuration: .init(address: .hostname("127.0.0.1", port: port), serverName: "mledger-ui"),
            onServerRunning: { channel in
                let url = WorkspaceDashboard.link(uri: "http://127.0.0.1:\(channel.localAddress?.port ?? 0)", token: token, page: page)
                FileHandle.standardOutput.write(Data("Dashboard of this workspace: \(url)\nStop with Ctrl-C.\n".utf8))
                if !noBrowser { Browser.open(url) }
            },
            logger: .init(label: "mledger-ui")
        )
        try await app.runService()
    }
}

struct Open: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Sign in to a relay's dashboard: print (and open) a short-lived link signed by this device.",
        usage: "mledger open\n  mledger open --page /models --no-browser",
        discussion: """
            The link works once, within five minutes, for a current member of the team. The relay turns it \
            into a session cookie for this browser.
            """
    )
    @Argument(help: "The remote (default: the only one, or 'origin').") var remote: String?
    @Option(help: "The dashboard page to open, such as /models or /audit.") var page = "/"
    @Flag(help: "Only print the link; do not start a browser.") var noBrowser = false
    @OptionGroup var output: OutputOptions

    func validate() throws { try DashboardPage.check(page) }

    func run() throws {
        let session = try Session.open()
        let remote = try Sync.remote(session, remote)
        let now = wallClockMs()
        let link = LoginLink.sign(team: try session.team(), next: page, key: try session.signer(), nowMs: now)
        let base = remote.url.hasSuffix("/") ? String(remote.url.dropLast()) : remote.url
        let url = base + LoginLink.path + "?" + Links.query(link.queryItems)
        if output.json {
            return try Output.json(["url": url, "expires": String((now + RequestSignature.maxSkewMs) / 1000)])
        }
        print(url)
        if !noBrowser, Browser.open(url) { print("Opened in your browser (the link works once, for five minutes).") }
    }
}

/// `--page` of `ui` and `open`: a path on the dashboard, never another site (`//host`).
enum DashboardPage {
    static func check(_ page: String) throws {
        guard page.hasPrefix("/"), !page.hasPrefix("//") else { throw ValidationError("--page must be a path such as /models") }
    }
}
