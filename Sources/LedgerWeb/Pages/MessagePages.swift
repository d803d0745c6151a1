/// Pages that carry no ledger data: the sign-in page and errors.
public enum MessagePages {
    /// Shown instead of any page while the browser has no session. It says how to get one and nothing else.
    public static func signIn(problem: String? = nil, howTo: String) -> HTML {
        Layout.page(
            title: "Sign in", section: .none, context: PageContext(),
            """
            <h1>Sign in</h1>\(Layout.notice(problem))<p>\(howTo)</p>
            """)
    }

    /// Sets the session and moves on with a same-site navigation, so the SameSite=Strict cookie is sent.
    public static func signedIn(next: String) -> HTML {
        """
        <!doctype html><html lang="en"><head><meta charset="utf-8"><meta http-equiv="refresh" content="0;url=\(next)">\
        <title>Signed in · mledger</title><link rel="stylesheet" href="\(Links.stylesheet)"></head>\
        <body><main><p>Signed in. <a href="\(next)">Continue</a>.</p></main></body></html>
        """
    }

    public static func error(status: Int, message: String, context: PageContext) -> HTML {
        Layout.page(
            title: "Error \(status)", section: .none, context: context,
            """
            <h1>\(status == 404 ? "Not found" : "Something went wrong")</h1>\(Layout.notice(message))<p><a href="/">Back to the experiments</a></p>
            """)
    }
}
