import Foundation
import LedgerTestSupport
import Testing

/// The pictures for choosing a model, in a real headless Chromium against a real relay: parallel
/// coordinates and a scatter of a sweep, charts with round ticks, log scale, wall time and smoothing,
/// confusion matrices as heat maps (alone, side by side, and of 100 classes), inline images, the
/// per-dataset table and the model's training metrics by version. Screenshots go to
/// `.build/screenshots/pictures-*.png`; the final DOM is checked.
@Suite struct PicturesTests {
    @Test func picturesRenderInARealBrowserWithTheRightMarks() throws {
        let f = try PicturesFixture()
        let experiment = try f.experimentID
        let plotsPath =
            "/experiments/\(experiment)/plots?axes=params.lr,params.batch,params.optimizer&color=metrics.acc&x=params.lr&y=metrics.acc&xscale=log"
        let pages: [(name: String, path: String, mustShow: [String], window: String)] = [
            ("pictures-plots", plotsPath, ["Parallel coordinates", "class=\"chart parallel\"", "class=\"chart scatter\""], "1400,1900"),
            (
                "pictures-run", "/runs/\(f.runs[0])?smooth=0.6", ["Evaluation", "class=\"chart heatmap\"", "By dataset", "class=\"smoothed\""],
                "1400,3600"
            ),
            (
                "pictures-run-time-log", "/runs/\(f.runs[1])?x=time&y=log", ["wall time (UTC)", "data-kind=\"log\"", "data-kind=\"time\""],
                "1280,1400"
            ),
            ("pictures-compare", "/compare?run=\(f.runs[0])&run=\(f.runs[1])", ["class=\"side\"", "By dataset"], "1400,3400"),
            ("pictures-heatmap-100", "/runs/\(f.runs[2])", ["confusion_100_classes.json"], "1280,2600"),
            ("pictures-model", "/models/\(try f.modelID)", ["Training metrics by version", "class=\"chart versions\""], "1280,1800"),
        ]
        var doms = [String: String]()
        for page in pages {
            let r = try ChromiumTests.render(try signIn(f.cli, page: page.path), screenshot: page.name, window: page.window)
            #expect(!r.dom.contains("<h1>Sign in</h1>"), "\(page.name): the sign-in link did not open a session")
            for text in page.mustShow { #expect(r.dom.contains(text), "\(page.name) lacks \(text)") }
            expectNoInjectedMarkup(r.dom)
            let refused = r.log.split(separator: "\n").filter { $0.contains("Refused to") || $0.contains("Uncaught") || $0.contains("CONSOLE") }
            #expect(refused.isEmpty, "\(page.name): \(refused.joined(separator: "\n"))")
            #expect(r.screenshot.starts(with: [0x89, 0x50, 0x4E, 0x47]) && r.screenshot.count > 15_000, "\(page.name): screenshot")
            expectRoundTicks(r.dom, page: page.name)
            doms[page.name] = r.dom
        }

        // Each scatter point links to its run, and every run of the sweep is there; so is every line.
        let plots = doms["pictures-plots"] ?? ""
        let scatter = try #require(Self.element("svg", class: "chart scatter", in: plots))
        #expect(Self.runLinks(scatter).sorted() == f.runs.sorted())
        let parallel = try #require(Self.element("svg", class: "chart parallel", in: plots))
        #expect(Self.runLinks(parallel).sorted() == f.runs.sorted())
        #expect(parallel.contains("params.lr (log)") && parallel.contains("&lt;script&gt;"))

        // The heat map's cells carry the logged counts, on the run page and side by side on compare.
        let run = doms["pictures-run"] ?? ""
        expectCells(run, PicturesFixture.matrices[0], "run page")
        let compare = doms["pictures-compare"] ?? ""
        let side = try #require(Self.element("div", class: "side", in: compare))
        let maps = Array(side.components(separatedBy: "class=\"chart heatmap\"").dropFirst())
        #expect(maps.count == 2, "both runs' matrices, side by side")
        for (map, counts) in zip(maps, PicturesFixture.matrices) { expectCells(map, counts, "compare page") }
        let hundred = doms["pictures-heatmap-100"] ?? ""
        #expect(hundred.components(separatedBy: "data-count=").count - 1 == 10_000)
        #expect(hundred.contains("data-actual=\"99\" data-predicted=\"99\" data-count=\"\(80 + (99 * 7) % 20)\""))

        // Images: shown with their size, served with their type and bytes, an SVG without its script.
        #expect(run.contains("width=\"240\" height=\"160\""))
        // Links are relative to the page's base ("/" here).
        let images = run.matches(of: /<img class="artifact" src="(runs\/[0-9a-f]+\/artifacts\/[0-9a-f]{64})"/).map { "/" + $0.1 }
        try #require(images.count == 2, "two image previews, served below")
        let datasets = try #require(Self.element("table", class: "datasets", in: run))
        #expect(datasets.contains("<td>train</td>") && datasets.contains("<td>val</td>") && datasets.contains("<th>acc</th>"), "datasets as rows")
        try checkServedImages(f, images)
    }

    /// The images behind the previews over HTTP: a session is needed, and each comes back whole with
    /// its type and a policy that keeps an SVG's script from running.
    func checkServedImages(_ f: PicturesFixture, _ paths: [String]) throws {
        let done = DispatchSemaphore(value: 0)
        nonisolated(unsafe) var failure: (any Error)?
        Task {
            defer { done.signal() }
            do {
                let anonymous = try WebClient(url: f.relay.url)
                #expect(try await anonymous.get(paths[0]).status == 401)
                let web = try WebClient(url: f.relay.url)
                try await web.signIn(try signIn(f.cli, page: "/"))
                var types = [String]()
                for path in paths {
                    let r = try await web.get(path)
                    #expect(r.status == 200)
                    types.append(r.headers["content-type"] ?? "")
                    #expect(r.headers["content-security-policy"]?.contains("sandbox") == true)
                    #expect(r.headers["x-content-type-options"] == "nosniff")
                    let expected = r.headers["content-type"] == "image/png" ? [UInt8](PicturesFixture.png) : Array(PicturesFixture.svg.utf8)
                    #expect(r.body == expected, "\(path) is served whole and unchanged")
                }
                #expect(Set(types) == ["image/png", "image/svg+xml"])
                let svg = try #require(paths.first { _ in true })
                #expect(try await web.get(svg.replacingOccurrences(of: "/artifacts/", with: "/artifacts/00")).status == 404)
            } catch { failure = error }
        }
        done.wait()
        if let failure { throw failure }
    }

    /// Every cell `data-actual`/`data-predicted`/`data-count` of the first heat map in `html`.
    func expectCells(_ html: String, _ counts: [[Int]], _ what: String, sourceLocation: SourceLocation = #_sourceLocation) {
        for (i, row) in counts.enumerated() {
            for (j, n) in row.enumerated() {
                #expect(
                    html.contains("data-actual=\"\(i)\" data-predicted=\"\(j)\" data-count=\"\(n)\""), "\(what): cell \(i),\(j) is not \(n)",
                    sourceLocation: sourceLocation)
            }
        }
    }

    /// Every numeric tick group of every chart: values evenly spaced by 1, 2 or 5 times a power of ten
    /// (linear), whole powers of ten or 1-2-5 within a decade (log), and each label showing its value.
    func expectRoundTicks(_ dom: String, page: String, sourceLocation: SourceLocation = #_sourceLocation) {
        let groups = dom.matches(of: /<g class="ticks[^"]*" data-kind="(linear|log)"[^>]*>(.*?)<\/g>/)
        #expect(!groups.isEmpty || !dom.contains("<svg"), "\(page): no tick groups", sourceLocation: sourceLocation)
        for group in groups {
            let ticks = String(group.2).matches(of: /data-v="([^"]+)"[^>]*>([^<]*)</).map { (Double(String($0.1)) ?? .nan, String($0.2)) }
            for (value, label) in ticks {
                #expect(Self.value(ofLabel: label).map { abs($0 - value) <= abs(value) * 1e-9 } == true, "\(page): tick \(value) labelled \(label)")
            }
            let values = ticks.map(\.0)
            if group.1 == "linear", values.count >= 2 {
                let step = values[1] - values[0]
                #expect(Self.isRound(step), "\(page): tick step \(step) in \(values)", sourceLocation: sourceLocation)
                #expect(zip(values, values.dropFirst()).allSatisfy { abs(($1 - $0) - step) <= step * 1e-6 }, "\(page): uneven ticks \(values)")
                #expect(values.allSatisfy { abs($0 / step - ($0 / step).rounded()) < 1e-6 }, "\(page): ticks off the step \(values)")
            } else if group.1 == "log" {
                #expect(values.allSatisfy { Self.isRound($0) }, "\(page): log ticks \(values)", sourceLocation: sourceLocation)
            }
        }
    }

    static func isRound(_ v: Double) -> Bool {
        guard v > 0 else { return false }
        let magnitude = pow(10, log10(v).rounded(.down))
        return [1.0, 2, 5, 10].contains { abs(v / magnitude - $0) < 1e-6 }
    }

    static func value(ofLabel label: String) -> Double? {
        let suffixes: [Character: Double] = ["k": 1e3, "M": 1e6, "G": 1e9, "T": 1e12]
        if let last = label.last, let scale = suffixes[last] { return Double(label.dropLast()).map { $0 * scale } }
        return Double(label)
    }

    static func runLinks(_ markup: String) -> [String] { markup.matches(of: /<a href="runs\/([0-9a-f]{64})">/).map { String($0.1) } }

    /// The first `<tag class="cls"…>…</tag>` (not nested in itself) in `html`.
    static func element(_ tag: String, class cls: String, in html: String) -> String? {
        guard let start = html.range(of: "<\(tag)[^>]*class=\"\(cls)\"", options: .regularExpression),
            let end = html.range(of: "</\(tag)>", range: start.upperBound..<html.endIndex)
        else { return nil }
        return String(html[start.lowerBound..<end.upperBound])
    }
}
