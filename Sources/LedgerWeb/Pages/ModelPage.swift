import LedgerModel

/// One model: current aliases and who set them, its versions with their source runs, its audit
/// timeline, each version's training metrics on charts, and on the local dashboard forms to promote,
/// demote and comment.
public enum ModelPage {
    /// Charts of training metrics at most; the metrics most versions have come first.
    public static let metricCharts = 6
    /// The newest versions charted at most.
    public static let versionsCharted = 200

    /// `runs`: the source runs of the versions, by run id; `deployment`: its deployments, production metrics and alerts.
    public static func render(
        _ model: ModelView, audit: [AuditEntry], notice: String? = nil, context: PageContext, runs: [String: RunView] = [:],
        deployment: HTML = .empty,
        requests: [RequestView] = []
    ) -> HTML {
        let aliasRows = HTML.each(model.aliases) { a in
            """
            <tr><td><strong>\(a.alias)</strong>\(HTML.when(!a.conflict.isEmpty, "<span class=\"flag conflict\">CONFLICT</span>"))</td>\
            <td>\(a.versionNumber.map { "v\($0)" } ?? "removed")</td><td>\(Layout.author(a.setBy))</td><td>\(Format.time(a.at))</td>\
            <td>\(AuditTimeline.reason(a.reason))\(HTML.when(!a.conflict.isEmpty, candidates(a.conflict)))</td></tr>
            """
        }
        let versionRows = HTML.each(model.versions) { v in
            """
            <tr><td>v\(v.number)\(HTML.when(v.renumbered, " <span class=\"muted\" title=\"its author saw v\(v.claimedNumber) while offline\">(was v\(v.claimedNumber))</span>"))</td>\
            <td>\(v.run.map { "<a href=\"\(Links.run($0))\">\(Format.short($0))</a>" as HTML } ?? "")</td>\
            <td>\(Layout.author(v.author))</td><td>\(Format.time(v.createdAt))</td>\
            <td>\(v.aliases.joined(separator: ", "))\(HTML.when(v.archived, " <span class=\"flag\">ARCHIVED</span>"))</td>\
            <td class="num">\(v.files.count)</td><td>\(v.description)</td></tr>
            """
        }
        let body: HTML = """
            <h1>\(model.name)</h1>\(HTML.when(model.description != nil, "<p>\(model.description)</p>"))\
            \(Layout.notice(notice, kind: "info"))\
            <h2>Aliases</h2>\(model.aliases.isEmpty ? "<p class=\"muted\">No aliases set.</p>" : Layout.table("<tr><th>Alias</th><th>Version</th><th>Set by</th><th>When</th><th>Reason</th></tr>", aliasRows))\
            \(RequestList.render(requests, context: context))\
            \(HTML.when(context.canWrite, forms(model, context)))\
            <h2>Versions</h2>\(model.versions.isEmpty ? "<p class=\"muted\">No versions.</p>" : Layout.table("<tr><th>Version</th><th>Source run</th><th>Author</th><th>Created</th><th>Aliases</th><th>Files</th><th>Description</th></tr>", versionRows))\
            \(versionMetrics(model, runs))\
            \(deployment)\
            <h2>Audit timeline</h2>\(AuditTimeline.render(audit, modelNames: nil))\
            \(HTML.when(context.canWrite, "<h2>Comment</h2>\(Comments.form(target: model.id, returnTo: Links.model(model.id), context: context))"))
            """
        return Layout.page(title: model.name, section: .models, context: context, body)
    }

    /// One chart per training metric, a point per version whose source run logged it.
    static func versionMetrics(_ model: ModelView, _ runs: [String: RunView]) -> HTML {
        var points = [String: [VersionChart.Point]]()
        for v in model.versions {
            guard let id = v.run, let run = runs[id] else { continue }
            for (key, summary) in run.metrics {
                if let value = summary.last?.value { points[key, default: []].append(.init(version: v.number, run: id, value: value)) }
            }
        }
        guard !points.isEmpty else { return .empty }
        let keys = points.keys.sorted { (points[$1]?.count ?? 0, $0) < (points[$0]?.count ?? 0, $1) }.prefix(metricCharts)
        let charts = HTML.each(keys) { key in RunPage.figure(key, VersionChart().render(points[key] ?? [], metric: key)) }
        return """
            <h2>Training metrics by version</h2><p class="muted">The last value each version's source run logged;             production metrics per version follow its deployments.</p><div class="charts small">\(charts)</div>
            """
    }

    /// "production → v3" with who set it, for the registry list.
    static func aliasSummary(_ a: AliasView) -> HTML {
        "<div><strong>\(a.alias)</strong> → \(a.versionNumber.map { "v\($0)" } ?? "removed")\(HTML.when(!a.conflict.isEmpty, "<span class=\"flag conflict\">CONFLICT</span>")) <span class=\"muted\">by \(a.setBy.name ?? a.setBy.fingerprint)</span></div>"
    }

    static func candidates(_ heads: [AliasCandidate]) -> HTML {
        "<ul class=\"candidates\">\(HTML.each(heads) { "<li>v\($0.versionNumber.map(String.init) ?? "–") by \(Layout.author($0.author)): \(AuditTimeline.reason($0.reason))</li>" })</ul>"
    }

    static func forms(_ model: ModelView, _ context: PageContext) -> HTML {
        let versions = HTML.each(model.versions.reversed()) { "<option value=\"\($0.id)\">v\($0.number)</option>" }
        return """
            <h2>Promote or demote</h2>\
            <form class="inline" method="post" action="models/\(model.id)/promote">\(context.tokenField)\
            <label>Version<select name="version" required>\(versions)</select></label>\
            <label>Alias<input type="text" name="alias" required placeholder="production"></label>\
            <label>Reason<input type="text" class="wide" name="reason" required placeholder="why (shown in the audit trail)"></label>\
            <label>Evidence<input type="text" name="evidence" placeholder="run:3f2a, acc=0.981"></label>\
            <button type="submit">Promote</button></form>\
            <form class="inline" method="post" action="models/\(model.id)/request">\(context.tokenField)\
            <label>Version<select name="version" required>\(versions)</select></label>\
            <label>Alias<input type="text" name="alias" required placeholder="production"></label>\
            <label>Reason<input type="text" class="wide" name="reason" required placeholder="why (shown to approvers)"></label>\
            <button type="submit" title="for an alias that needs approvals">Request</button></form>\
            <form class="inline" method="post" action="models/\(model.id)/demote">\(context.tokenField)\
            <label>Alias<input type="text" name="alias" required placeholder="production"></label>\
            <label>Reason<input type="text" class="wide" name="reason" required></label>\
            <button type="submit">Demote</button></form>
            """
    }
}
