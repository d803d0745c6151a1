import LedgerModel

/// The registry: every model with its versions and where its aliases point.
public enum ModelsPage {
    public static func render(_ models: [ModelView], context: PageContext) -> HTML {
        let rows = HTML.each(models) { m in
            """
            <tr><td><a href="\(Links.model(m.id))">\(m.name)</a>\
            \(HTML.when(m.description != nil, "<div class=\"muted\">\(m.description)</div>"))</td>\
            <td class="num">\(m.versions.count)</td><td>\(HTML.each(m.aliases) { ModelPage.aliasSummary($0) })</td>\
            <td>\(Layout.author(m.createdBy))</td></tr>
            """
        }
        let body: HTML =
            models.isEmpty
            ? "<h1>Models</h1><p class=\"muted\">No models yet: <code>mledger model create NAME</code>.</p>"
            : "<h1>Models</h1>\(Layout.table("<tr><th>Model</th><th>Versions</th><th>Aliases</th><th>Created by</th></tr>", rows))"
        return Layout.page(title: "Models", section: .models, context: context, body)
    }
}
