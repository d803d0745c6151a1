import Foundation
import LedgerModel
import LedgerProtocol
import Testing

@testable import LedgerWeb

/// Parallel coordinates, scatter plots, heat maps and version charts: every mark where it belongs,
/// linking to its run, and no untrusted text unescaped.
@Suite struct PictureTests {
    static let hostile = "<script>alert('x')</script>\"><img src=x onerror=alert(1)>"
    static let author = AuthorView(key: SigningKey(seed: [UInt8](repeating: 9, count: 32))!.publicKey, name: hostile)

    /// `count` runs of a sweep: lr over four decades, an optimizer name, accuracy rising with lr; every
    /// seventh run lacks `batch`, every eleventh lacks `acc`.
    static func sweep(_ count: Int, name: String = hostile) -> [RunView] {
        (0..<count).map { n in
            var params = ["lr": String(pow(10, -4 + Double(n % 5))), "optimizer": n % 2 == 0 ? "adam" : name]
            if n % 7 != 0 { params["batch"] = String(32 << (n % 3)) }
            var metrics = ["loss": MetricSummary([MetricPoint(step: 1, timestamp: 0, value: 1 / Double(n + 1))])]
            if n % 11 != 0 { metrics["acc"] = MetricSummary([MetricPoint(step: 1, timestamp: 0, value: 0.5 + Double(n % 5) / 10)]) }
            return RunView(
                id: String(format: "%064x", n + 1), experimentID: "e", name: "\(name) \(n)", author: author, status: .finished, startTime: 0,
                params: params, tags: [:], metrics: metrics, artifacts: [])
        }
    }

    /// A column from its spec; a spec that does not parse draws nothing, which the checks then catch.
    static func column(_ spec: String) -> RunTable.Column {
        (try? RunTable.Column(parsing: spec)) ?? RunTable.Column(field: .attribute("unparsed \(spec)"))
    }

    /// Every `<a href="runs/…">` in the markup, in order.
    static func runLinks(_ markup: String) -> [String] {
        markup.matches(of: /<a href="runs\/([0-9a-f]{64})">/).map { String($0.1) }
    }

    @Test func parallelCoordinatesDrawEveryRunAsALinkedLine() {
        let runs = Self.sweep(1000)
        let svg = ParallelCoordinates().render(
            runs, axes: ["params.lr", "params.batch", "params.optimizer", "metrics.acc"].map(Self.column), color: Self.column("metrics.acc")
        ).markup
        #expect(Set(Self.runLinks(svg)) == Set(runs.map(\.id)), "one line per run, each linking to it")
        #expect(svg.components(separatedBy: "<polyline").count - 1 == 1000)
        #expect(svg.contains("params.lr (log)"), "a param over four decades gets a log axis")
        #expect(svg.contains("data-kind=\"categories\"") && svg.contains(">adam<"))
        #expect(svg.contains(">n/a<"), "runs lacking a value cross at n/a")
        #expect(svg.contains("class=\"colorbar\""))
        #expect(!svg.contains("<script") && !svg.contains("<img") && svg.contains("&lt;script&gt;"))
        // Coloured by accuracy: the best runs in yellow, those without it in grey.
        #expect(svg.contains("stroke=\"\(ColorScale.viridis(1))\"") && svg.contains("stroke=\"#9aa3ab\""))
        let capped = ParallelCoordinates().render(Self.sweep(1200), axes: [Self.column("params.lr")], color: nil).markup
        #expect(Self.runLinks(capped).count == ParallelCoordinates.maxRuns)
    }

    @Test func everyScatterPointLinksToItsRunWithItsValues() throws {
        let runs = Self.sweep(60)
        let svg = ScatterPlot().render(runs, x: Self.column("params.lr"), y: Self.column("metrics.acc"), color: Self.column("metrics.loss")).markup
        let plotted = runs.filter { $0.metrics["acc"] != nil }
        #expect(Self.runLinks(svg) == plotted.map(\.id))
        let first = try #require(plotted.first)
        #expect(svg.contains("<title>\(HTML.escape(ComparePage.label(first)))\nparams.lr: \(first.params["lr"] ?? "")\nmetrics.acc: 0.6\n"))
        #expect(svg.contains("6 runs lack one of the values"))
        let categorical = ScatterPlot().render(runs, x: Self.column("params.optimizer"), y: Self.column("metrics.loss:min"), color: nil).markup
        #expect(Self.runLinks(categorical).count == 60 && categorical.contains("data-kind=\"categories\""))
        #expect(!categorical.contains("<script") && categorical.contains("metrics.loss (min)"))
        let logged = ScatterPlot().render(runs, x: Self.column("params.lr"), y: Self.column("metrics.acc"), color: nil, logX: true, logY: true).markup
        #expect(logged.components(separatedBy: "data-kind=\"log\"").count - 1 == 2)
    }

    @Test func heatMapCellsCarryTheirCounts() throws {
        let m = ConfusionMatrix(
            actual: ["bird", Self.hostile, "dog"], predicted: ["bird", Self.hostile, "dog"], counts: [[5, 0, 1], [2, 40, 0], [0, 3, 12]])
        let svg = HeatMap().render(m, title: "cm").markup
        for i in 0..<3 {
            for j in 0..<3 {
                #expect(svg.contains("data-actual=\"\(i)\" data-predicted=\"\(j)\" data-count=\"\(Format.number(m.counts[i][j]))\""))
            }
        }
        #expect(svg.contains(">40</text>") && svg.contains("(95.2% of &lt;script&gt;"))
        #expect(!svg.contains("<script") && !svg.contains("<img"))
        // The darkest shade goes to the largest share of its row, not the largest count.
        #expect(svg.contains("data-count=\"5\"") && svg.contains("fill=\"\(ColorScale.blues(5.0 / 6))\" data-actual=\"0\" data-predicted=\"0\""))
        let big = ConfusionMatrix(
            actual: (0..<100).map { "class \($0)" }, predicted: (0..<100).map { "class \($0)" },
            counts: (0..<100).map { i in (0..<100).map { j in i == j ? 90 : Double((i * j) % 3) } })
        let large = HeatMap().render(big, title: "100 classes").markup
        #expect(large.components(separatedBy: "data-count=").count - 1 == 10_000)
        #expect(!large.contains("</rect><text"), "no counts written into cells too small to read")
        #expect(large.contains(">class 0<") && !large.contains(">class 1<"), "every n-th label when they would crowd")
    }

    @Test func versionChartsLinkEachVersionToItsRun() {
        let points = [3, 1, 2].map { VersionChart.Point(version: UInt64($0), run: String(format: "%064x", $0), value: 0.8 + Double($0) / 100) }
        let svg = VersionChart().render(points, metric: Self.hostile).markup
        #expect(Self.runLinks(svg) == [1, 2, 3].map { String(format: "%064x", $0) })
        #expect(svg.contains("data-v=\"1\">1</text>") && svg.contains(">version<"))
        #expect(!svg.contains("<script"))
    }

    @Test func pagesWithPicturesEscapeUntrustedStrings() {
        let runs = Self.sweep(30)
        let experiment = ExperimentView(id: "x", name: Self.hostile, createdBy: Self.author, createdAt: 0, runCount: 30, lastActivity: 0)
        let context = PageContext(viewer: Self.hostile)
        let file = ArtifactView(ArtifactFile(path: "\(Self.hostile)confusion.json", sha256: [UInt8](repeating: 2, count: 32), size: 10))
        let matrix = ConfusionMatrix(actual: [Self.hostile, "b"], predicted: [Self.hostile, "b"], counts: [[1, 2], [3, 4]])
        let previews = [
            ArtifactContent(artifact: file, content: .matrix(matrix)), ArtifactContent(artifact: file, content: .unavailable(Self.hostile)),
            ArtifactContent(artifact: file, content: .image(width: 10, height: 10)),
        ]
        let form = FormData(pairs: [("filter", Self.hostile), ("axes", Self.hostile), ("color", Self.hostile), ("x", "params.optimizer")])
        let version = VersionView(
            id: "v", number: 1, claimedNumber: 1, renumbered: false, run: runs[1].id, author: Self.author, createdAt: 0, archived: false,
            aliases: [], files: [])
        let model = ModelView(id: "m", name: Self.hostile, createdBy: Self.author, createdAt: 0, versions: [version], aliases: [])
        let pages = [
            PlotsPage.render(experiment: experiment, request: PlotsRequest(form), runs: runs, context: context),
            PlotsPage.render(experiment: experiment, request: PlotsRequest(FormData(pairs: [])), runs: runs, context: context),
            RunPage.render(runs[1], series: [:], comments: [], context: context, previews: previews),
            ComparePage.render(Array(runs.prefix(2)), series: [:], context: context, previews: [runs[0].id: previews, runs[1].id: previews]),
            ModelPage.render(model, audit: [], context: context, runs: [runs[1].id: runs[1]]),
        ]
        for page in pages {
            #expect(!page.markup.contains("<script") && !page.markup.contains("<img src=x"))
            #expect(page.markup.contains("&lt;script&gt;"))
        }
        #expect(pages[0].markup.contains("Filter: "), "a filter that does not parse is a message on the page")
        #expect(pages[1].markup.contains("class=\"chart parallel\"") && pages[1].markup.contains("class=\"chart scatter\""))
        #expect(pages[2].markup.contains("class=\"chart heatmap\"") && pages[2].markup.contains("<img class=\"artifact\""))
        #expect(pages[4].markup.contains("class=\"chart versions\""))
    }
}
