import LedgerModel
import LedgerProtocol
import Testing

@testable import LedgerWeb

/// The dashboard says where imported runs and audit entries came from, and who made them originally,
/// with the source's text escaped like any other.
@Suite struct ImportedPageTests {
    static let imported = ImportView(
        system: "mlflow", source: "http://mlflow.example.org:5000/<x>", object: "run", ids: ["run_id": "8e3b"], user: "ada <i>",
        time: 1_767_225_000_000, updated: nil, data: [:], stateAtImport: false)

    @Test func runPageShowsImportedFromAndTheOriginalAuthor() {
        let author = AuthorView(key: SigningKey.generate().publicKey, name: "Importer")
        var run = RunView(
            id: "r", experimentID: "e", name: "old run", author: author, status: .finished, startTime: 0, params: [:], tags: [:],
            metrics: [:], artifacts: [])
        run.imported = Self.imported
        let page = RunPage.render(run, series: [:], comments: [], context: PageContext()).markup
        let line = "imported from mlflow http://mlflow.example.org:5000/&lt;x&gt;, originally by ada &lt;i&gt; at 2025-12-31 23:50:00 UTC"
        #expect(page.contains(line))
        let plain = RunView(
            id: "r", experimentID: "e", name: "old run", author: author, status: .finished, startTime: 0, params: [:], tags: [:],
            metrics: [:], artifacts: [])
        #expect(!RunPage.render(plain, series: [:], comments: [], context: PageContext()).markup.contains("imported from"))
    }

    @Test func auditTimelineMarksTheStateAtImport() {
        var stage = Self.imported
        stage.stateAtImport = true
        stage.user = nil
        stage.time = nil
        var entry = AuditEntry(
            event: "e", time: 0, author: AuthorView(key: SigningKey.generate().publicKey, name: nil), action: .promoted, alias: "production",
            from: [], to: 3, reason: "state at import: stage Production of version 3 in MLflow", evidence: [], signatureVerified: true,
            conflict: false, fork: false)
        entry.imported = stage
        let html = AuditTimeline.render([entry], modelNames: nil).markup
        #expect(html.contains("<div class=\"imported\">imported from mlflow http://mlflow.example.org:5000/&lt;x&gt;, state at import</div>"))
    }
}
