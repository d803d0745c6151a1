import LedgerModel

/// One experiment's runs as a table: chosen columns, sortable headers, a filter, paging, and
/// checkboxes that send the picked runs to the compare page.
public enum RunsPage {
    public static func render(
        experiment: ExperimentView, request: RunsTableRequest, columns: [RunTable.Column],
        page: RunTable.Page, total: Int, problem: String?, context: PageContext
    ) -> HTML {
        let sortSpec = request.sort
        func header(_ label: String, _ spec: String) -> HTML {
            let active = spec == sortSpec
            let next = active ? !request.descending : true
            let arrow = active ? (request.descending ? " ▼" : " ▲") : ""
            return
                "<th><a href=\"\(Links.experiment(experiment.id, request.query(page: 1, sort: spec, descending: next)))\">\(label)\(arrow)</a></th>"
        }
        let head: HTML = """
            <tr><th><span class="muted">Compare</span></th>\(header("Run", "name"))\(header("Status", "status"))\(header("Author", "author"))\
            \(HTML.each(columns) { header($0.label, $0.spec) })</tr>
            """
        let rows = HTML.each(page.rows) { run in
            """
            <tr><td><input type="checkbox" name="run" value="\(run.id)" form="compare" aria-label="compare \(run.name)"></td>\
            <td><a href="\(Links.run(run.id))">\(run.name.isEmpty ? Format.short(run.id) : run.name)</a><div class="muted">\(Format.time(run.startTime))</div></td>\
            <td class="status-\(run.status.rawValue)">\(run.status.rawValue)</td><td>\(Layout.author(run.author))</td>\
            \(HTML.each(columns) { c -> HTML in
                let v = c.value(of: run)
                if case .number = v { return "<td class=\"num\">\(Format.cell(v))</td>" }
                return "<td>\(Format.cell(v))</td>"
            })</tr>
            """
        }
        func pageLink(_ label: String, _ n: Int) -> HTML {
            HTML.when(
                n >= 1 && n <= page.pageCount && n != page.page,
                "<a href=\"\(Links.experiment(experiment.id, request.query(page: n)))\">\(label)</a>")
        }
        let body: HTML = """
            \(ExperimentHeader.render(experiment, current: .table, query: request.query()))\
            <form class="inline" method="get" action="\(Links.experiment(experiment.id))">\
            <label>Filter<input type="text" class="wide" name="filter" value="\(request.filter)" placeholder="metrics.acc > 0.9 and params.lr = 0.01"></label>\
            <label>Columns<input type="text" class="wide" name="columns" value="\(request.columns)" placeholder="\(columns.map(\.spec).joined(separator: ", "))"></label>\
            <input type="hidden" name="sort" value="\(request.sort)"><input type="hidden" name="order" value="\(request.descending ? "" : "asc")">\
            <button type="submit">Apply</button></form>\
            \(Layout.notice(problem))\
            <p class="muted">\(page.matching) of \(total) runs match.</p>\
            <form id="compare" method="get" action="compare"><button type="submit">Compare selected runs</button></form>\
            \(Layout.table(head, rows, class: "runs"))\
            <nav class="pager">\(pageLink("← Previous", page.page - 1))<span>Page \(page.page) of \(page.pageCount)</span>\(pageLink("Next →", page.page + 1))</nav>
            """
        return Layout.page(title: experiment.name, section: .experiments, context: context, body)
    }
}
