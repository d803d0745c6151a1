import LedgerModel

/// An experiment's runs as pictures, for choosing among dozens or hundreds of them: parallel
/// coordinates of chosen params and a metric, and a scatter of any field against a metric. The runs
/// are the table's (same filter and order), at most 1,000; every line and dot links to its run.
public enum PlotsPage {
    public static func render(experiment: ExperimentView, request: PlotsRequest, runs all: [RunView], context: PageContext) -> HTML {
        let resolved = request.resolve(runs: all)
        let page = RunTable.page(all, resolved.query)
        let runs = page.rows
        let fields = Set(all.flatMap { run in run.params.keys.map { "params.\($0)" } + run.metrics.keys.map { "metrics.\($0)" } }).sorted()
        let datalist = HTML.each(fields.prefix(300)) { "<option value=\"\($0)\">" }
        let metricList = HTML.each(fields.filter { $0.hasPrefix("metrics.") }.prefix(300)) { "<option value=\"\($0)\">" }
        let axesText = request.axes.isEmpty ? resolved.axes.map(\.spec).joined(separator: ", ") : request.axes
        let shown =
            page.matching > runs.count
            ? "Showing the first \(runs.count) of \(page.matching) matching runs in the table's order; narrow the filter to see others."
            : "\(page.matching) of \(all.count) runs match."
        let parallel = ParallelCoordinates().render(runs, axes: resolved.axes, color: resolved.color)
        let scatter: HTML
        if let x = resolved.x, let y = resolved.y {
            let path = Links.plots(experiment.id)
            func toggle(_ label: String, _ on: Bool, _ query: String) -> HTML { Layout.choice(label, current: on, href: "\(path)?\(query)") }
            scatter = """
                <p class="chart-controls"><span>x axis: \(toggle("linear", !request.logX, request.query(logX: false))) · \(toggle("log", request.logX, request.query(logX: true)))</span>\
                <span>y axis: \(toggle("linear", !request.logY, request.query(logY: false))) · \(toggle("log", request.logY, request.query(logY: true)))</span></p>\
                <figure class="plot"><figcaption>\(y.label) against \(x.label)</figcaption>\
                \(ScatterPlot().render(runs, x: x, y: y, color: resolved.color, logX: request.logX, logY: request.logY))</figure>
                """
        } else {
            scatter = "<p class=\"muted\">No metrics logged yet: the scatter plots a metric against a param or another metric.</p>"
        }
        let body: HTML = """
            \(ExperimentHeader.render(experiment, current: .plots, query: request.query()))\
            <form class="inline" method="get" action="\(Links.plots(experiment.id))">\
            <label>Filter<input type="text" class="wide" name="filter" value="\(request.table.filter)" placeholder="metrics.acc > 0.9 and params.lr = 0.01"></label>\
            <label>Axes<input type="text" class="wide" name="axes" list="fields" value="\(axesText)" placeholder="params.lr, params.batch"></label>\
            <label>Colour<input type="text" name="color" list="metrics" value="\(request.color.isEmpty ? resolved.color?.spec ?? "" : request.color)"></label>\
            <label>Scatter x<input type="text" name="x" list="fields" value="\(request.x.isEmpty ? resolved.x?.spec ?? "" : request.x)"></label>\
            <label>Scatter y<input type="text" name="y" list="metrics" value="\(request.y.isEmpty ? resolved.y?.spec ?? "" : request.y)"></label>\
            <input type="hidden" name="sort" value="\(request.table.sort)"><input type="hidden" name="order" value="\(request.table.descending ? "" : "asc")">\
            <button type="submit">Apply</button></form>\
            <datalist id="fields">\(datalist)</datalist><datalist id="metrics">\(metricList)</datalist>\
            \(Layout.notice(resolved.problem))<p class="muted">\(shown)</p>\
            <h2>Parallel coordinates</h2>\
            <figure class="plot wide">\(parallel)</figure>\
            <p class="muted">One line per run, coloured by \(resolved.color?.label ?? "nothing"). Hover a line for its values; click it to open the run.</p>\
            <h2>Scatter</h2>\(scatter)
            """
        return Layout.page(title: experiment.name, section: .experiments, context: context, body)
    }
}

/// The top of an experiment's pages: its name, description, and links between the table and the plots
/// that keep the filter.
enum ExperimentHeader {
    enum View { case table, plots }

    static func render(_ experiment: ExperimentView, current: View, query: String) -> HTML {
        let filter = FormData(parsing: query)
        let shared = Links.query([("filter", filter["filter"] ?? ""), ("sort", filter["sort"] ?? ""), ("order", filter["order"] ?? "")])
        func tab(_ label: String, _ view: View, _ href: String) -> HTML { Layout.choice(label, current: view == current, href: href) }
        return """
            <h1>\(experiment.name)</h1>\
            \(HTML.when(experiment.description != nil, "<p>\(experiment.description)</p>"))\
            <nav class="tabs">\(tab("Table", .table, Links.experiment(experiment.id, shared)))\(tab("Plots", .plots, Links.plots(experiment.id, shared)))</nav>
            """
    }
}
