import LedgerModel

/// Audit entries as a timeline, newest first: who (name and key fingerprint), when, what changed from
/// and to, why, the evidence, whether the signature verifies, and every conflict, fork or change made
/// without the needed role.
public enum AuditTimeline {
    /// - Parameter modelNames: for a team-wide trail, the names of the models entries link to; nil on
    ///   one model's page, where the model goes without saying.
    public static func render(_ entries: [AuditEntry], modelNames: [String: String]?) -> HTML {
        guard !entries.isEmpty else { return "<p class=\"muted\">Nothing recorded yet.</p>" }
        return "<ol class=\"timeline\">\(HTML.each(entries.reversed()) { entry($0, modelNames) })</ol>"
    }

    static func entry(_ e: AuditEntry, _ modelNames: [String: String]?) -> HTML {
        var model = HTML.empty
        if let modelNames, let id = e.model {
            model = "<a href=\"\(Links.model(id))\">\(modelNames[id] ?? Format.short(id))</a> "
        }
        let from = e.from.map { "v\($0)" }.joined(separator: ", ")
        let what: HTML =
            switch e.action {
            case .promoted: "promoted <strong>\(e.alias)</strong>: \(from.isEmpty ? "unset" : from) → v\(e.to.map(String.init) ?? "?")"
            case .demoted: "removed <strong>\(e.alias)</strong> (was \(from.isEmpty ? "unset" : from))"
            case .versionCreated: "created version v\(e.to.map(String.init) ?? "?")"
            case .archived: "archived v\(e.to.map(String.init) ?? "?")"
            case .commented: "commented"
            case .memberAdded: "added member \(e.text ?? "")"
            case .memberRemoved: "removed member \(e.text ?? "")"
            case .deleted: "deleted \(e.text ?? "")"
            case .restored: "restored \(e.text ?? "")"
            case .renamed: "renamed \(e.text ?? "")"
            case .deployed:
                "deployed v\(e.to.map(String.init) ?? "?") to <strong>\(e.environment)</strong>\(from.isEmpty ? "" : " replacing \(from)")\(e.text.map { " on \($0)" } ?? "")"
            case .rolledBack: "rolled back <strong>\(e.environment)</strong>: \(from) → v\(e.to.map(String.init) ?? "?")"
            case .ruleAdded: "added a rule in <strong>\(e.environment)</strong>: \(e.text ?? "")"
            case .ruleRemoved: "removed \(e.text ?? "a rule")"
            case .alerted: "alert in <strong>\(e.environment)</strong> on v\(e.to.map(String.init) ?? "?"): \(e.text ?? "")"
            case .retrained: "retraining: \(e.text ?? "")"
            case .requested: "requested <strong>\(e.alias)</strong> → v\(e.to.map(String.init) ?? "?") (\(e.text ?? ""))"
            case .approved, .rejected:
                "\(e.action == .approved ? "approved" : "rejected") the request for <strong>\(e.alias)</strong> → v\(e.to.map(String.init) ?? "?"): \(e.text ?? "")"
            }
        let flags: HTML = """
            \(e.signatureVerified ? "<span class=\"flag ok\" title=\"Ed25519 signature checked against the stored event bytes\">SIGNATURE VERIFIED</span>" as HTML : "<span class=\"flag bad\">SIGNATURE INVALID</span>")\
            \(HTML.when(e.conflict, "<span class=\"flag conflict\" title=\"concurrent, unresolved change to the same alias\">CONFLICT</span>"))\
            \(HTML.when(e.fork, "<span class=\"flag fork\" title=\"the author signed two different events at one position\">FORK</span>"))\
            \(HTML.when(!e.authorized && (e.action == .approved || e.action == .rejected), "<span class=\"flag bad\" title=\"this decision does not count toward the request\">NOT COUNTED</span>"))\
            \(HTML.when(!e.authorized && e.action != .approved && e.action != .rejected, "<span class=\"flag bad\" title=\"the author lacked the role this alias needs: no effect\">NOT ALLOWED</span>"))
            """
        let needsReason = [.promoted, .demoted, .archived, .memberRemoved, .deployed, .rolledBack, .requested, .approved, .rejected].contains(
            e.action)
        return """
            <li class="\(e.action.rawValue)" id="e-\(e.event)"><div><span class="muted">\(Format.time(e.time))</span> \(Layout.author(e.author)) \(model)\(what)\(flags)</div>\
            \(HTML.when(needsReason, "<div class=\"reason\">Reason: \(reason(e.reason))</div>"))\
            \(HTML.when(!e.evidence.isEmpty, "<div>Evidence: \(HTML.each(e.evidence) { evidence($0) })</div>"))\
            \(e.imported.map { "<div class=\"imported\">\($0.summary(time: Format.time))</div>" as HTML } ?? .empty)\
            \(HTML.when(e.action == .commented, "<p class=\"comment-text\">\(e.text)</p>"))\
            <div class="muted">event <code>\(Format.short(e.event))</code></div></li>
            """
    }

    /// A reason as text, or a flag when the change arrived without one.
    static func reason(_ text: String?) -> HTML {
        PromotionReason.isMissing(text) ? "<span class=\"flag missing\">REASON MISSING</span>" : "<q>\(text)</q>"
    }

    /// Evidence links where they point at something the dashboard shows (`run:ID`) or at a web page.
    static func evidence(_ item: String) -> HTML {
        if item.hasPrefix("run:"), case let id = item.dropFirst(4), id.count >= 4, id.allSatisfy(\.isHexDigit) {
            return "<a class=\"evidence\" href=\"\(Links.run(String(id).lowercased()))\">\(item)</a> "
        }
        if item.hasPrefix("https://") || item.hasPrefix("http://") {
            return "<a class=\"evidence\" rel=\"noreferrer nofollow\" href=\"\(item)\">\(item)</a> "
        }
        return "<code>\(item)</code> "
    }
}
