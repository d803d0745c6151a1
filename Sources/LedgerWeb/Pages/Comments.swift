import LedgerModel

/// Comments on one thing (a run, a model), oldest first, and on the local dashboard a form to add one.
public enum Comments {
    public static func render(_ comments: [CommentView], target: String, returnTo: String, context: PageContext) -> HTML {
        let list: HTML =
            comments.isEmpty
            ? "<p class=\"muted\">No comments.</p>"
            : """
            <ol class="timeline">\(HTML.each(comments) { c in
                """
                <li class="comment" id="c-\(c.id)"><div>\(Layout.author(c.author)) <span class="muted">\(Format.time(c.time))</span>\
                \(HTML.when(c.replyTo != nil, " <span class=\"muted\">reply to <a href=\"\(returnTo)#c-\(c.replyTo)\">\(Format.short(c.replyTo ?? ""))</a></span>"))</div>\
                <p class="comment-text">\(c.text)</p></li>
                """
            })</ol>
            """
        return "<h2>Comments</h2>\(list)\(HTML.when(context.canWrite, form(target: target, returnTo: returnTo, context: context)))"
    }

    static func form(target: String, returnTo: String, context: PageContext) -> HTML {
        """
        <form class="inline" method="post" action="comments">\(context.tokenField)\
        <input type="hidden" name="target" value="\(target)"><input type="hidden" name="return" value="\(returnTo)">\
        <label>Add a signed comment<textarea name="text" rows="2" cols="50" required></textarea></label>\
        <button type="submit">Comment</button></form>
        """
    }
}
