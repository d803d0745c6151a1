/// Pages that carry no ledger data: the sign-in page and errors.
public enum MessagePages {
    /// Shown instead of any page while the browser has no session. It says how to get one and nothing else.
    public static func signIn(problem: String? = nil, howTo: String, base: String = "/") -> HTML {
        Layout.page(
            title: "Sign in", section: .none, context: PageContext(base: base),
            """
            <h1>Sign in</h1>\(Layout.notice(problem))<p>\(howTo)</p>
            """)
    }

    /// Sets the session and moves on with a same-site navigation, so the SameSite=Strict cookie is sent.
    /// `next` is a path from the dashboard's root.
    public static func signedIn(next: String, base: String = "/") -> HTML {
        let target = Links.absolute(next, base: base)
        return """
            <!doctype html><html lang="en"><head><meta charset="utf-8"><base href="\(base)">\
            <meta http-equiv="refresh" content="0;url=\(target)">\
            <title>Signed in · mledger</title><link rel="stylesheet" href="\(Links.stylesheet)"></head>\
            <body><main><p>Signed in. <a href="\(target)">Continue</a>.</p></main></body></html>
            """
    }

    public static func error(status: Int, message: String, context: PageContext) -> HTML {
        Layout.page(
            title: "Error \(status)", section: .none, context: context,
            """
            <h1>\(status == 404 ? "Not found" : "Something went wrong")</h1>\(Layout.notice(message))<p><a href="\(Links.experiments)">Back to the experiments</a></p>
            """)
    }
}
