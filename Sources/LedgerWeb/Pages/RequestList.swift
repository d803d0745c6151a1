import LedgerModel

/// A model's promotion requests (SPEC 6.15): what was asked and by whom, who approved and rejected with
/// their reasons and whether each counted, when the quorum was reached; on the local dashboard, approve and
/// reject forms for the open ones (signed there with the member's own key).
public enum RequestList {
    public static func render(_ requests: [RequestView], context: PageContext) -> HTML {
        guard !requests.isEmpty else { return .empty }
        return "<h2>Promotion requests</h2><ol class=\"timeline requests\">\(HTML.each(requests) { item($0, context) })</ol>"
    }

    static func item(_ r: RequestView, _ context: PageContext) -> HTML {
        let decisions = HTML.each(r.decisions) { d in
            """
            <li class="\(d.verdict.rawValue)">\(d.verdict == .approve ? "approved" : "rejected") by \(Layout.author(d.author)) \
            <span class="muted">\(Format.time(d.at))</span>: \(AuditTimeline.reason(d.reason))\
            \(HTML.when(!d.counted, "<span class=\"flag bad\" title=\"\(d.note ?? "")\">NOT COUNTED</span> <span class=\"muted\">\(d.note)</span>"))\
            \(HTML.when(r.decidedBy == d.event, " <strong>\(r.state == .rejected ? "blocked the request" : "reached the quorum")</strong>"))</li>
            """
        }
        return """
            <li class="request \(r.state.rawValue)" id="r-\(r.id)"><div><span class="flag \(r.state == .approved ? "ok" : r.state == .open ? "" : "bad")">\(r.state.rawValue.uppercased())</span> \
            <strong>\(r.alias)</strong> → v\(r.versionNumber.map(String.init) ?? "?") requested by \(Layout.author(r.requestedBy)) \
            <span class="muted">\(Format.time(r.at))</span></div>\
            <div class="reason">Reason: \(AuditTimeline.reason(r.reason))</div>\
            \(HTML.when(!r.evidence.isEmpty, "<div>Evidence: \(HTML.each(r.evidence) { AuditTimeline.evidence($0) })</div>"))\
            <div class="muted">\(r.progress)\(r.decidedAt.map { "; decided \(Format.time($0))" } ?? "")\(r.expiry.map { "; expired: \($0)" } ?? "")</div>\
            \(HTML.when(!r.decisions.isEmpty, "<ul class=\"decisions\">\(decisions)</ul>"))\
            \(HTML.when(context.canWrite && r.state == .open, forms(r, context)))\
            <div class="muted">request <code>\(Format.short(r.id))</code></div></li>
            """
    }

    static func forms(_ r: RequestView, _ context: PageContext) -> HTML {
        HTML.each(["approve", "reject"]) { verdict in
            """
            <form class="inline" method="post" action="requests/\(r.id)/\(verdict)">\(context.tokenField)\
            <label>Reason<input type="text" class="wide" name="reason" required placeholder="why (shown in the audit trail)"></label>\
            <button type="submit">\(verdict == "approve" ? "Approve" : "Reject")</button></form>
            """
        }
    }
}
