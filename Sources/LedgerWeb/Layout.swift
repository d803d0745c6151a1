import LedgerModel

/// What every page shows besides its own data.
public struct PageContext: Sendable {
    /// Who the browser is signed in as, shown in the header.
    public var viewer: String?
    /// Present where pages may post (the local dashboard): each form carries it, and a post without the
    /// session's token is refused, so another site cannot make the browser sign something.
    public var formToken: String?
    /// Where the dashboard is served, ending in "/": "/", or the path prefix of a proxy in front of it.
    /// Every page's links are relative to it (`<base>`).
    public var base: String

    public init(viewer: String? = nil, formToken: String? = nil, base: String = "/") {
        self.viewer = viewer
        self.formToken = formToken
        self.base = base
    }

    public var canWrite: Bool { formToken != nil }

    /// The hidden field every form carries.
    var tokenField: HTML {
        HTML.when(formToken != nil, "<input type=\"hidden\" name=\"token\" value=\"\(formToken)\">")
    }
}

/// The page frame: head, navigation, and the body of one page. No scripts and nothing from other
/// hosts; the stylesheet is served by the dashboard itself.
public enum Layout {
    public enum Section: Sendable { case experiments, models, audit, none }

    public static func page(title: String, section: Section, context: PageContext, _ body: HTML) -> HTML {
        func nav(_ label: String, _ href: String, _ s: Section) -> HTML {
            "<a href=\"\(href)\"\(HTML.when(s == section, " aria-current=\"page\""))>\(label)</a>"
        }
        return """
            <!doctype html><html lang="en"><head><meta charset="utf-8"><base href="\(context.base)">\
            <meta name="viewport" content="width=device-width, initial-scale=1">\
            <title>\(title) · mledger</title><link rel="stylesheet" href="\(Links.stylesheet)"></head>\
            <body><header><a class="brand" href="\(Links.experiments)">mledger</a><nav>\
            \(nav("Experiments", Links.experiments, .experiments))\(nav("Models", Links.models, .models))\(nav("Audit", Links.audit, .audit))\
            </nav>\(HTML.when(context.viewer != nil, """
                <span class="viewer">\(context.viewer)</span>\
                <form class="signout" method="post" action="logout"><button type="submit">Sign out</button></form>
                """))</header>\
            <main>\(body)</main></body></html>
            """
    }

    /// A table that scrolls sideways on narrow screens instead of squeezing.
    static func table(_ head: HTML, _ rows: HTML, class cls: String = "") -> HTML {
        "<div class=\"scroll\"><table class=\"\(cls)\"><thead>\(head)</thead><tbody>\(rows)</tbody></table></div>"
    }

    /// A definition list of label/value rows, skipping empty values.
    static func facts(_ items: [(String, HTML?)]) -> HTML {
        "<dl class=\"facts\">\(HTML.each(items.compactMap { l, v in v.map { (l, $0) } }) { "<dt>\($0.0)</dt><dd>\($0.1)</dd>" })</dl>"
    }

    static func author(_ a: AuthorView) -> HTML {
        let name: HTML = a.name.map { "\($0) " } ?? .empty
        return "<span class=\"author\" title=\"key \(a.key)\">\(name)<code>\(a.fingerprint)</code></span>"
    }

    /// One choice among links (a chart option, a tab): the current one is marked, the others link to `href`.
    static func choice(_ label: String, current: Bool, href: String) -> HTML {
        current ? "<strong aria-current=\"true\">\(label)</strong>" : "<a href=\"\(href)\">\(label)</a>"
    }

    static func notice(_ text: String?, kind: String = "error") -> HTML {
        HTML.when(text != nil, "<p class=\"notice \(kind)\" role=\"alert\">\(text)</p>")
    }
}
