import LedgerModel

/// The front page: every experiment with its run count and last activity.
public enum ExperimentsPage {
    public static func render(_ experiments: [ExperimentView], context: PageContext) -> HTML {
        let rows = HTML.each(experiments.sorted { $0.lastActivity > $1.lastActivity }) { e in
            """
            <tr><td><a href="\(Links.experiment(e.id))">\(e.name)</a>\
            \(HTML.when(e.description != nil, "<div class=\"muted\">\(e.description)</div>"))</td>\
            <td class="num">\(e.runCount)</td><td>\(Format.time(e.lastActivity))</td><td>\(Layout.author(e.createdBy))</td></tr>
            """
        }
        let body: HTML =
            experiments.isEmpty
            ? "<h1>Experiments</h1><p class=\"muted\">No experiments yet: <code>mledger run start --experiment NAME</code> creates one.</p>"
            : "<h1>Experiments</h1>\(Layout.table("<tr><th>Experiment</th><th>Runs</th><th>Last activity</th><th>Created by</th></tr>", rows))"
        return Layout.page(title: "Experiments", section: .experiments, context: context, body)
    }
}
