import Foundation
import LedgerTestSupport
import Testing

/// The relay's dashboard in a real headless Chromium (Debian's `chromium` package): each page is
/// reached through a sign-in link from `mledger open`, rendered, screenshotted into
/// `.build/screenshots/`, and its final DOM checked. A page that errors, is refused by the content
/// policy, or renders empty fails the test.
@Suite struct ChromiumTests {
    static let chromium = ["CHROMIUM", "chromium", "chromium-browser"].lazy.compactMap { name -> String? in
        if let path = ProcessInfo.processInfo.environment[name], FileManager.default.isExecutableFile(atPath: path) { return path }
        return ["/usr/bin/", "/usr/local/bin/"].map { $0 + name }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }.first

    static let screenshots = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent(".build/screenshots")

    struct Rendered {
        var dom: String
        var log: String
        var screenshot: Data
    }

    /// Opens `url` in a fresh profile, waits for the sign-in redirect and the page, and returns the final DOM.
    static func render(_ url: String, screenshot name: String, window: String = "1280,1000") throws -> Rendered {
        let browser = try #require(chromium, "Chromium is required for the browser tests: `make deps` installs Debian's chromium package")
        try FileManager.default.createDirectory(at: screenshots, withIntermediateDirectories: true)
        let profile = FileManager.default.temporaryDirectory.appendingPathComponent("mledger-chromium-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: profile) }
        let png = screenshots.appendingPathComponent(name + ".png")
        try? FileManager.default.removeItem(at: png)
        let p = Process()
        p.executableURL = URL(fileURLWithPath: browser)
        p.arguments = [
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--hide-scrollbars", "--no-first-run",
            "--user-data-dir=\(profile.path)",
            "--enable-logging=stderr", "--window-size=\(window)", "--virtual-time-budget=4000",
            "--screenshot=\(png.path)", "--dump-dom", url,
        ]
        let out = Pipe()
        let err = Pipe()
        p.standardOutput = out
        p.standardError = err
        try p.run()
        let killer = DispatchWorkItem { p.terminate() }
        DispatchQueue.global().asyncAfter(deadline: .now() + 60, execute: killer)
        let dom = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        let log = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        killer.cancel()
        #expect(p.terminationStatus == 0, "chromium exited with \(p.terminationStatus): \(log.suffix(2000))")
        return Rendered(dom: dom, log: log, screenshot: (try? Data(contentsOf: png)) ?? Data())
    }

    @Test func pagesRenderInARealBrowser() throws {
        let f = try DashboardFixture()
        let pages: [(name: String, path: String, mustShow: [String], window: String)] = [
            ("runs-table", "/experiments/\(try f.experimentID)", ["Compare selected runs", "second", "params.lr"], "1280,1000"),
            ("run-page", "/runs/\(f.run)", ["<svg", "<polyline", "Metrics", "looks good"], "1280,1000"),
            ("compare", "/compare?run=\(f.run)&run=\(f.otherRun)", ["Compare 2 runs", "class=\"diff\"", "<polyline"], "1280,1000"),
            ("audit-timeline", "/models/\(try f.modelID)", ["Audit timeline", "SIGNATURE VERIFIED", "promoted"], "1280,1000"),
            ("audit-timeline-phone", "/models/\(try f.modelID)", ["Audit timeline", "SIGNATURE VERIFIED"], "390,844"),
            ("team-audit", "/audit", ["Audit trail", "added member"], "1280,1000"),
        ]
        for page in pages {
            let r = try Self.render(try f.signInLink(page: page.path), screenshot: page.name, window: page.window)
            #expect(!r.dom.contains("<h1>Sign in</h1>"), "\(page.name): the sign-in link did not open a session")
            for text in page.mustShow { #expect(r.dom.contains(text), "\(page.name) lacks \(text)") }
            #expect(r.dom.contains("<main>") && r.dom.count > 2_000, "\(page.name) rendered almost nothing")
            expectNoInjectedMarkup(r.dom)
            let consoleErrors = r.log.split(separator: "\n").filter {
                $0.contains("CONSOLE") || $0.contains("Refused to") || $0.contains("Uncaught")
            }
            #expect(consoleErrors.isEmpty, "\(page.name): \(consoleErrors.joined(separator: "\n"))")
            // A PNG of a real page: signature, and more than a blank canvas compresses to.
            #expect(
                r.screenshot.starts(with: [0x89, 0x50, 0x4E, 0x47]) && r.screenshot.count > 15_000,
                "\(page.name): screenshot of \(r.screenshot.count) bytes")
        }
    }
}
