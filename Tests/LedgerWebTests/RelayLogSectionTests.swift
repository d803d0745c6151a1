import LedgerModel
import LedgerProtocol
import Testing

@testable import LedgerWeb

/// The audit page's relay section: each log with its announcement and accepted checkpoint, and every
/// failed check named with its evidence; relay-served text is escaped.
@Suite struct RelayLogSectionTests {
    static let hostile = "<script>alert(1)</script>"
    let relay = RelayLogView(
        remote: "origin", url: "http://127.0.0.1:8470", logKey: "mledger.log/ab+0123abcd+AQID", announced: true, size: 42,
        root: String(repeating: "f", count: 64), checkpoint: nil, pagesChecked: true,
        witnesses: [
            LogWitness(
                member: AuthorView(key: PublicKey(bytes: [UInt8](repeating: 1, count: 32))!, name: "Bob \(hostile)"), size: 40, root: "ab",
                consistent: false),
            LogWitness(
                member: AuthorView(key: PublicKey(bytes: [UInt8](repeating: 2, count: 32))!, name: "Carol"), size: 42, root: "cd", consistent: nil),
        ])

    @Test func namesEachFailedCheckWithItsEvidence() {
        let evidence = LogEvidence(
            remote: "origin", code: "split_view", message: "the relay's checkpoint of 7 entries is not consistent \(Self.hostile)",
            accepted: "accepted note", served: "served note \(Self.hostile)", proof: "00ff", timeMs: 1_767_225_600_000)
        let html = AuditPage.render([], models: [], forks: [], relays: [relay], evidence: [evidence], context: PageContext()).markup
        #expect(html.contains("Relays' transparency logs") && html.contains("mledger.log/ab+0123abcd+AQID") && html.contains(">42<"))
        #expect(html.contains("<strong>split_view</strong>") && html.contains("served note") && html.contains("<pre>00ff</pre>"))
        #expect(html.contains("role=\"alert\"") && !html.contains("No evidence"))
        #expect(!html.contains("<script") && html.contains("&lt;script&gt;"))
    }

    @Test func showsWhoWitnessedEachLog() {
        let html = AuditPage.render([], models: [], forks: [], relays: [relay], evidence: [], context: PageContext()).markup
        #expect(html.contains("Witnesses of origin"))
        #expect(html.contains("<td>40</td>") && html.contains("<strong>no</strong>"), "Bob's inconsistent cosignature stands out")
        #expect(html.contains("<td>Carol</td><td>42</td>") && html.contains("not checked yet"))
    }

    @Test func saysWhenThereIsNoEvidenceAndHidesWithoutRelays() {
        let html = AuditPage.render([], models: [], forks: [], relays: [relay], evidence: [], context: PageContext()).markup
        #expect(html.contains("No evidence of misbehaviour.") && html.contains("<td>yes</td>"))
        #expect(!AuditPage.render([], models: [], forks: [], context: PageContext()).markup.contains("transparency logs"))
    }
}
