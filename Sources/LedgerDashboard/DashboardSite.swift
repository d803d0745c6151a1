import Foundation
import HTTPTypes
import Hummingbird
import LedgerModel
import LedgerProtocol
import LedgerStore
import LedgerWeb
import NIOCore

/// The dashboard as routes on any Hummingbird router: the relay mounts it for the team, `mledger ui`
/// for one workspace. Every page needs a session; only the sign-in route and the stylesheet are open.
public struct DashboardSite: Sendable {
    public let pages: DashboardPages
    let login: any DashboardLogin
    let sessions: DashboardSessions
    /// Nil on the relay: its pages are read-only.
    let writer: DashboardWriter?

    /// `blobs`: where logged files are, so images and confusion matrices can be shown.
    /// `ownLog`: on a relay, its own transparency log, for the audit page.
    public init(
        ledger: Ledger, blobs: BlobStore? = nil, login: any DashboardLogin, writer: DashboardWriter? = nil,
        sessions: DashboardSessions = DashboardSessions(), ownLog: (@Sendable () throws -> RelayLogView?)? = nil
    ) {
        pages = DashboardPages(ledger: ledger, blobs: blobs, ownLog: ownLog)
        self.login = login
        self.writer = writer
        self.sessions = sessions
    }

    public func register<Context: RequestContext>(on router: Router<Context>) {
        router.get("static/style.css") { _, _ in
            Response(
                status: .ok, headers: [.contentType: "text/css; charset=utf-8", .cacheControl: "max-age=3600"],
                body: .init(byteBuffer: ByteBuffer(string: Stylesheet.css)))
        }
        router.get("login") { request, _ in try await signIn(request) }
        router.post("logout") { request, _ in
            await sessions.end(request.cookies[DashboardSessions.cookieName]?.value)
            return Self.html(.ok, signInPage(request), cookie: Self.sessionCookie("", maxAge: 0))
        }
        page(router, "/") { _, _, ctx in try await offload { try pages.experiments(ctx) } }
        page(router, "experiments/:id") { request, id, ctx in
            try await pages.runsTable(experiment: id, Self.query(request), ctx)
        }
        page(router, "experiments/:id/plots") { request, id, ctx in
            try await pages.plots(experiment: id, Self.query(request), ctx)
        }
        page(router, "runs/:id") { request, id, ctx in try await offload { try pages.run(id, Self.query(request), ctx) } }
        registerArtifacts(on: router)
        page(router, "compare") { request, _, ctx in
            let query = Self.query(request)
            return try await offload { try pages.compare(query.all("run"), query, ctx) }
        }
        page(router, "models") { _, _, ctx in try await offload { try pages.models(ctx) } }
        page(router, "models/:id") { _, id, ctx in try await offload { try pages.model(id, ctx) } }
        page(router, "audit") { _, _, ctx in try await offload { try pages.audit(ctx) } }
        if let writer { registerWrites(on: router, writer) }
    }

    /// A GET page behind the session check; `:id` (if any) is passed on.
    private func page<Context: RequestContext>(
        _ router: Router<Context>, _ path: RouterPath,
        _ render: @escaping @Sendable (Request, String, PageContext) async throws -> HTML
    ) {
        router.get(path) { request, context in
            guard let session = await session(request) else {
                return Self.html(.unauthorized, signInPage(request))
            }
            let ctx = PageContext(viewer: session.viewer, formToken: writer == nil ? nil : session.formToken, base: Self.base(request))
            do {
                return Self.html(.ok, try await render(request, context.parameters.get("id") ?? "", ctx))
            } catch {
                let e = DashboardError.from(error)
                if e.status == 500 { context.logger.error("dashboard: \(error)") }
                return Self.html(HTTPResponse.Status(code: e.status), MessagePages.error(status: e.status, message: e.message, context: ctx))
            }
        }
    }

    /// A run's logged images, for the previews on its page: behind the session like every page, and
    /// served so that an SVG opened on its own runs no script (a sandboxed, script-free document).
    private func registerArtifacts<Context: RequestContext>(on router: Router<Context>) {
        router.get("runs/:id/artifacts/:sha") { request, context in
            guard await session(request) != nil else { return Self.html(.unauthorized, signInPage(request)) }
            let id = context.parameters.get("id") ?? ""
            let sha = context.parameters.get("sha") ?? ""
            do {
                let file = try await offload { try pages.artifact(run: id, sha256: sha) }
                return Response(
                    status: .ok,
                    headers: [
                        .contentType: file.contentType, .contentSecurityPolicy: "default-src 'none'; style-src 'unsafe-inline'; sandbox",
                        .xContentTypeOptions: "nosniff", .cacheControl: "private, max-age=86400",
                    ],
                    body: .init(byteBuffer: ByteBuffer(bytes: file.bytes)))
            } catch {
                let e = DashboardError.from(error)
                if e.status == 500 { context.logger.error("dashboard: \(error)") }
                return Response(
                    status: HTTPResponse.Status(code: e.status), headers: [.contentType: "text/plain; charset=utf-8"],
                    body: .init(byteBuffer: ByteBuffer(string: e.message)))
            }
        }
    }

    private func registerWrites<Context: RequestContext>(on router: Router<Context>, _ writer: DashboardWriter) {
        post(router, "comments") { form, _ in
            guard let target = form["target"].flatMap(LedgerID.init(hex:)), let text = form["text"], !text.allSatisfy(\.isWhitespace) else {
                throw DashboardError.badRequest("A comment needs a target and some text.")
            }
            try writer.comment(on: target, text: text)
            return Self.localPath(form["return"])
        }
        post(router, "models/:id/promote") { form, id in
            let model = try DashboardPages.id(id, "model")
            guard let version = form["version"].flatMap(LedgerID.init(hex:)), let alias = Self.nonBlank(form["alias"]),
                let reason = Self.nonBlank(form["reason"])
            else {
                throw DashboardError.badRequest("A promotion needs a version, an alias and a reason.")
            }
            let evidence = (form["evidence"] ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            try writer.promote(model: model, version: version, alias: alias, reason: reason, evidence: evidence)
            return Links.model(id)
        }
        post(router, "models/:id/request") { form, id in
            let model = try DashboardPages.id(id, "model")
            guard let version = form["version"].flatMap(LedgerID.init(hex:)), let alias = Self.nonBlank(form["alias"]),
                let reason = Self.nonBlank(form["reason"])
            else {
                throw DashboardError.badRequest("A promotion request needs a version, an alias and a reason.")
            }
            try writer.request(model: model, version: version, alias: alias, reason: reason)
            return Links.model(id)
        }
        for verdict in PromotionDecision.Verdict.allCases {
            post(router, RouterPath("requests/:id/\(verdict.rawValue)")) { form, id in
                guard let reason = Self.nonBlank(form["reason"]) else { throw DashboardError.badRequest("A decision needs a reason.") }
                return Links.model(try writer.decide(request: id, verdict: verdict, reason: reason))
            }
        }
        post(router, "models/:id/demote") { form, id in
            let model = try DashboardPages.id(id, "model")
            guard let alias = Self.nonBlank(form["alias"]), let reason = Self.nonBlank(form["reason"]) else {
                throw DashboardError.badRequest("A demotion needs an alias and a reason.")
            }
            try writer.demote(model: model, alias: alias, reason: reason)
            return Links.model(id)
        }
    }

    /// A form post: session and form token checked, the write made, then a redirect to the page to show.
    private func post<Context: RequestContext>(
        _ router: Router<Context>, _ path: RouterPath,
        _ write: @escaping @Sendable (FormData, String) throws -> String
    ) {
        router.post(path) { request, context in
            guard let session = await session(request) else {
                return Self.html(.unauthorized, signInPage(request))
            }
            let ctx = PageContext(viewer: session.viewer, formToken: session.formToken, base: Self.base(request))
            let body = try await request.body.collect(upTo: 256 * 1024)
            let form = FormData(parsing: String(decoding: body.readableBytesView, as: UTF8.self))
            guard let token = form["token"], sameSecret(token, session.formToken) else {
                return Self.html(
                    .forbidden,
                    MessagePages.error(
                        status: 403, message: "This form is stale or came from another site: reload the page and try again.", context: ctx))
            }
            let id = context.parameters.get("id") ?? ""
            do {
                let next = try await offload { try write(form, id) }
                return Response(status: .seeOther, headers: [.location: Links.absolute(next, base: ctx.base)])
            } catch {
                let e = DashboardError.from(error)
                if e.status == 500 { context.logger.error("dashboard: \(error)") }
                return Self.html(HTTPResponse.Status(code: e.status), MessagePages.error(status: e.status, message: e.message, context: ctx))
            }
        }
    }

    /// The request's session, if it has one that is still allowed.
    private func session(_ request: Request) async -> DashboardSessions.Session? {
        let cookie = request.cookies[DashboardSessions.cookieName]?.value
        guard let session = await sessions.session(cookie) else { return nil }
        guard await login.stillAllowed(session.owner) else {
            await sessions.end(cookie)
            return nil
        }
        return session
    }

    private func signIn(_ request: Request) async throws -> Response {
        let query = Self.query(request)
        let owner: SignedIn
        do { owner = try await login.signIn(query) } catch {
            return Self.html(.unauthorized, signInPage(request, problem: error.message))
        }
        let cookie: String
        do { cookie = try await sessions.create(for: owner) } catch {
            let problem = "The server could not keep a session (\(error)). Try the link from `mledger open` again in a moment."
            return Self.html(.serviceUnavailable, signInPage(request, problem: problem))
        }
        // Behind a TLS proxy the cookie must never travel over plain HTTP.
        let secure = Self.forwardedProto.flatMap { request.headers[$0] } == "https"
        return Self.html(
            .ok, MessagePages.signedIn(next: Self.localPath(query["next"]), base: Self.base(request)),
            cookie: Self.sessionCookie(cookie, maxAge: sessions.lifetimeSeconds, secure: secure))
    }

    private func signInPage(_ request: Request, problem: String? = nil) -> HTML {
        MessagePages.signIn(problem: problem, howTo: login.howTo, base: Self.base(request))
    }

    static let forwardedProto = HTTPField.Name("X-Forwarded-Proto")
    static let forwardedPrefix = HTTPField.Name("X-Forwarded-Prefix")

    /// Where the browser sees the dashboard: "/", or under the path a proxy names in
    /// `X-Forwarded-Prefix` (only plain path segments are taken; anything else counts as none).
    static func base(_ request: Request) -> String {
        guard let prefix = forwardedPrefix.flatMap({ request.headers[$0] }) else { return "/" }
        let segments = prefix.split(separator: "/")
        let plain = segments.allSatisfy { segment in
            segment != "." && segment != ".."
                && segment.unicodeScalars.allSatisfy { $0.isASCII && (CharacterSet.alphanumerics.contains($0) || "-._~".unicodeScalars.contains($0)) }
        }
        guard prefix.hasPrefix("/"), plain else { return "/" }
        return segments.isEmpty ? "/" : "/" + segments.joined(separator: "/") + "/"
    }

    static func query(_ request: Request) -> FormData { FormData(parsing: request.uri.query ?? "") }

    /// Only paths on this server, from the dashboard's root ("/runs/x"; a relative link "runs/x" is taken
    /// as the same): an absolute address or `//host` would make the link an open redirect.
    static func localPath(_ text: String?) -> String {
        let text = text.map { $0.hasPrefix("/") || $0.contains(":") ? $0 : "/" + $0 }
        guard let text, text.hasPrefix("/"), !text.hasPrefix("//"), !text.contains("\\"),
            !text.unicodeScalars.contains(where: { $0.properties.generalCategory == .control })
        else { return "/" }
        return text
    }

    static func nonBlank(_ text: String?) -> String? {
        guard let t = text?.trimmingCharacters(in: .whitespacesAndNewlines), !t.isEmpty else { return nil }
        return t
    }

    static func sessionCookie(_ value: String, maxAge: Int, secure: Bool = false) -> Cookie {
        Cookie(name: DashboardSessions.cookieName, value: value, maxAge: maxAge, path: "/", secure: secure, httpOnly: true, sameSite: .strict)
    }

    /// A page with headers that keep it from running scripts, being framed or cached.
    static func html(_ status: HTTPResponse.Status, _ page: HTML, cookie: Cookie? = nil) -> Response {
        var headers: HTTPFields = [
            .contentType: "text/html; charset=utf-8",
            .contentSecurityPolicy:
                "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'self'",
            .xContentTypeOptions: "nosniff",
            .cacheControl: "no-store",
        ]
        if let cookie { headers[.setCookie] = cookie.description }
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: page.markup)))
    }
}
