import LedgerModel

/// The team's whole audit trail: every model's changes, and membership changes.
public enum AuditPage {
    public static func render(
        _ entries: [AuditEntry], models: [ModelView], forks: [ForkView], relays: [RelayLogView] = [], evidence: [LogEvidence] = [],
        context: PageContext
    ) -> HTML {
        let names = Dictionary(models.map { ($0.id, $0.name) }, uniquingKeysWith: { a, _ in a })
        let forkList: HTML = HTML.when(
            !forks.isEmpty,
            """
            <p class="notice" role="alert">\(forks.count) fork(s): an author signed two different events at one position (a restored backup or a copied key).</p>\
            <ul>\(HTML.each(forks) { "<li>\(Layout.author($0.author)) at seq \($0.seq): \(HTML.each($0.events) { "<code>\(Format.short($0))</code> " })</li>" })</ul>
            """)
        let body: HTML =
            "<h1>Audit trail</h1>\(forkList)\(RelayLogSection.render(relays, evidence: evidence))\(AuditTimeline.render(entries, modelNames: names))"
        return Layout.page(title: "Audit trail", section: .audit, context: context, body)
    }
}
