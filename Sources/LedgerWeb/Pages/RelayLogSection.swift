import LedgerModel

/// The relays' transparency logs as this ledger checked them (SPEC 6.17), on the audit page: each log
/// key and whether an admin announced it, the last checkpoint accepted, who witnessed it (SPEC 6.18), and
/// every failed check, named.
enum RelayLogSection {
    static func render(_ relays: [RelayLogView], evidence: [LogEvidence]) -> HTML {
        guard !relays.isEmpty || !evidence.isEmpty else { return .empty }
        let head: HTML = "<tr><th>Remote</th><th>Log key</th><th>Announced</th><th>Accepted size</th><th>Root</th><th>Pages checked</th></tr>"
        let rows = HTML.each(relays) { r in
            """
            <tr><td>\(r.remote) <small>\(r.url)</small></td><td><code>\(r.logKey ?? "(no log)")</code></td>\
            <td>\(r.announced ? "yes" : "no")</td><td>\(r.size.map(String.init) ?? "-")</td>\
            <td><code>\(r.root.map { String($0.prefix(16)) } ?? "-")</code></td><td>\(r.pagesChecked ? "yes" : "no")</td></tr>
            """
        }
        let found: HTML =
            evidence.isEmpty
            ? "<p>No evidence of misbehaviour.</p>"
            : """
            <div role="alert"><p class="notice error">\(evidence.count) failed check(s): the evidence below proves what the relay served.</p>\
            \(HTML.each(evidence) { e in
                """
                <details><summary><strong>\(e.code)</strong> from \(e.remote) at \(Format.time(e.timeMs)): \(e.message)</summary>\
                \(HTML.when(e.accepted != nil, "<h4>Accepted before</h4><pre>\(e.accepted)</pre>"))\
                \(HTML.when(e.served != nil, "<h4>Served</h4><pre>\(e.served)</pre>"))\
                \(HTML.when(!e.proof.isEmpty, "<h4>Proof</h4><pre>\(e.proof)</pre>"))</details>
                """
            })</div>
            """
        return "<h2>Relays' transparency logs</h2>\(Layout.table(head, rows))\(HTML.each(relays, witnesses))\(found)"
    }

    /// Who witnessed a log: per member the largest checkpoint they cosigned, and whether it is consistent
    /// with the one this ledger accepted.
    private static func witnesses(_ r: RelayLogView) -> HTML {
        guard !r.witnesses.isEmpty else { return .empty }
        let head: HTML = "<tr><th>Member</th><th>Cosigned size</th><th>Root</th><th>Consistent with ours</th></tr>"
        let rows = HTML.each(r.witnesses) { w in
            """
            <tr><td>\(w.member.name ?? w.member.fingerprint)</td><td>\(String(w.size))</td><td><code>\(String(w.root.prefix(16)))</code></td>\
            <td>\(w.consistent.map { $0 ? "yes" : "<strong>no</strong>" as HTML } ?? "not checked yet")</td></tr>
            """
        }
        return "<h3>Witnesses of \(r.remote)</h3>\(Layout.table(head, rows))"
    }
}
