import LedgerModel
import LedgerProtocol
import Testing

@testable import LedgerWeb

@Suite struct PageTests {
    static let hostile = "<script>alert('x')</script>\"><img src=x onerror=alert(1)>"

    @Test func interpolatedTextIsEscapedAndMarkupIsNot() {
        let name = Self.hostile
        let inner: HTML = "<b>\(name)</b>"
        let page: HTML = "<p title=\"\(name)\">\(inner)\(Optional<String>.none)\(42)</p>"
        #expect(!page.markup.contains("<script") && !page.markup.contains("<img"))
        #expect(page.markup.hasPrefix("<p title=\"&lt;script&gt;") && page.markup.contains("<b>&lt;script&gt;"))
        #expect(page.markup.hasSuffix("42</p>"))
    }

    @Test func formDataDecodesPercentPlusAndRepeatedKeys() {
        let form = FormData(parsing: "run=a&run=b&filter=metrics.acc+%3E+0.9&empty=&bad=%zz&%E2%9C%93=yes")
        #expect(form.all("run") == ["a", "b"])
        #expect(form["filter"] == "metrics.acc > 0.9")
        #expect(form["empty"] == "")
        #expect(form["bad"] == "")
        #expect(form["✓"] == "yes")
        #expect(FormData(parsing: Links.query([("next", "/a b?c=d&e"), ("x", "")])) == FormData(pairs: [("next", "/a b?c=d&e")]))
    }

    @Test func everyPageEscapesUntrustedStrings() {
        let author = AuthorView(key: SigningKey.generate().publicKey, name: Self.hostile)
        let run = RunView(
            id: String(repeating: "a", count: 64), experimentID: String(repeating: "b", count: 64), experiment: Self.hostile,
            name: Self.hostile, author: author, status: .finished, startTime: 0, gitCommit: Self.hostile, command: Self.hostile,
            host: Self.hostile, params: [Self.hostile: Self.hostile], tags: [Self.hostile: Self.hostile],
            metrics: [Self.hostile: MetricSummary([MetricPoint(step: 1, timestamp: 0, value: 1)])],
            artifacts: [ArtifactView(ArtifactFile(path: Self.hostile, sha256: [UInt8](repeating: 1, count: 32), size: 3))])
        let comment = CommentView(id: "c", target: run.id, replyTo: nil, author: author, time: 0, text: Self.hostile)
        let version = VersionView(
            id: "v", number: 1, claimedNumber: 1, renumbered: false, run: run.id, author: author, createdAt: 0,
            description: Self.hostile, archived: false, aliases: [Self.hostile], files: [])
        let alias = AliasView(
            alias: Self.hostile, version: "v", versionNumber: 1, setBy: author, at: 0, reason: Self.hostile, event: "e",
            conflict: [AliasCandidate(event: "e", author: author, reason: Self.hostile)])
        let model = ModelView(
            id: "m", name: Self.hostile, description: Self.hostile, createdBy: author, createdAt: 0, versions: [version], aliases: [alias])
        let audit = AuditEntry(
            event: "e", time: 0, author: author, model: "m", action: .promoted, alias: Self.hostile, from: [], to: 1,
            reason: Self.hostile, evidence: [Self.hostile, "javascript:alert(1)"], signatureVerified: true, conflict: true,
            fork: true, text: Self.hostile)
        let experiment = ExperimentView(
            id: "x", name: Self.hostile, description: Self.hostile, createdBy: author, createdAt: 0, runCount: 1, lastActivity: 0)
        let context = PageContext(viewer: Self.hostile, formToken: "t")
        let request = RunsTableRequest(FormData(pairs: [("filter", Self.hostile), ("columns", Self.hostile)]))
        let pages = [
            ExperimentsPage.render([experiment], context: context),
            RunsPage.render(
                experiment: experiment, request: request, columns: [.init(field: .param(Self.hostile))],
                page: RunTable.page([run], .init()), total: 1, problem: Self.hostile, context: context),
            RunPage.render(run, series: [Self.hostile: [MetricPoint(step: 1, timestamp: 0, value: 1)]], comments: [comment], context: context),
            ComparePage.render([run, run], series: [:], context: context),
            ModelsPage.render([model], context: context),
            ModelPage.render(model, audit: [audit], notice: Self.hostile, context: context),
            AuditPage.render([audit], models: [model], forks: [ForkView(author: author, seq: 1, events: [Self.hostile])], context: context),
            MessagePages.signIn(problem: Self.hostile, howTo: "x"),
            MessagePages.error(status: 400, message: Self.hostile, context: context),
        ]
        for page in pages {
            #expect(!page.markup.contains("<script") && !page.markup.contains("<img") && !page.markup.contains("href=\"javascript:"))
            #expect(page.markup.contains("&lt;script&gt;"))
        }
    }

    @Test func promotionsWithoutAReasonAreFlagged() {
        let author = AuthorView(key: SigningKey.generate().publicKey, name: nil)
        func entry(_ reason: String?) -> AuditEntry {
            AuditEntry(
                event: "e", time: 0, author: author, action: .promoted, alias: "production", from: [1], to: 2, reason: reason,
                evidence: ["run:abcd1234"], signatureVerified: false, conflict: false, fork: false)
        }
        let missing = AuditTimeline.render([entry(PromotionReason.missing)], modelNames: nil).markup
        #expect(missing.contains("REASON MISSING") && missing.contains("SIGNATURE INVALID") && missing.contains("v1 → v2"))
        #expect(missing.contains("href=\"runs/abcd1234\""))
        let given = AuditTimeline.render([entry("beats v1")], modelNames: nil).markup
        #expect(!given.contains("REASON MISSING") && given.contains("<q>beats v1</q>"))
    }

    @Test func extremeSignedValuesRenderWithoutOverflow() {
        let author = AuthorView(key: SigningKey.generate().publicKey, name: nil)
        let run = RunView(
            id: "r", experimentID: "e", name: "edge", author: author, status: .finished, startTime: .max, endTime: .min,
            params: [:], tags: [:], metrics: ["x": MetricSummary([MetricPoint(step: .min, timestamp: .min, value: 1)])], artifacts: [])
        let points = [
            MetricPoint(step: .min, timestamp: 0, value: -.greatestFiniteMagnitude), MetricPoint(step: 0, timestamp: 0, value: 0),
            MetricPoint(step: .max, timestamp: .max, value: .greatestFiniteMagnitude),
        ]
        let page = RunPage.render(run, series: ["x": points], comments: [], context: PageContext()).markup
        #expect(page.contains("<polyline") && page.contains("(?)"))
        #expect(Format.time(.max) == "?" || Format.time(.max).hasSuffix("UTC"))
    }

    @Test func signInRedirectTargetsStayOnTheServer() {
        let page = MessagePages.signedIn(next: "/models").markup
        #expect(page.contains("content=\"0;url=/models\""))
    }
}
