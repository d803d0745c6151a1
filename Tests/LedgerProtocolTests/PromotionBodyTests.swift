import Testing

@testable import LedgerProtocol

/// The bodies of SPEC 6.15 and the approvals of a protection: what round-trips, and what is refused.
@Suite struct PromotionBodyTests {
    let id = Hashing.blake2b256([1])

    func decode(_ kind: EventKind, _ map: [String: CBOR]) -> EventBody? { try? EventBody.decode(kind: kind, bytes: CBOR.map(map).encoded()) }

    @Test func bodiesRoundTrip() throws {
        let bodies: [any BodyFields] = [
            AliasProtect(alias: "production", role: .maintainer),
            AliasProtect(alias: "production", role: .maintainer, approvals: 2, notRequester: true),
            PromotionRequest(model: id, version: id, alias: "production", reason: "ship it", evidence: ["acc=0.9"]),
            PromotionDecision(request: id, verdict: .reject, reason: "latency doubled"),
        ]
        for body in bodies {
            let decoded = try EventBody.decode(kind: type(of: body).kind, bytes: body.encoded())
            #expect(decoded.fields.encoded() == body.encoded())
        }
        // A protection from before approvals reads as one without them.
        guard case .aliasProtect(let old)? = decode(.aliasProtect, ["alias": .text("production"), "role": .text("admin")]) else {
            Issue.record("an old protection must decode")
            return
        }
        #expect(old.approvals == 0 && !old.notRequester)
    }

    @Test func brokenFieldsAreRefused() {
        let protect: [String: CBOR] = ["alias": .text("production"), "role": .text("maintainer")]
        for extra: [String: CBOR] in [
            ["approvals": .unsigned(0)], ["approvals": .unsigned(33)], ["approvals": .negative(0)], ["not_requester": .bool(true)],
            ["approvals": .unsigned(1), "not_requester": .text("yes")],
        ] {
            #expect(decode(.aliasProtect, protect.merging(extra) { $1 }) == nil, "\(extra)")
        }
        let decision = PromotionDecision(request: id, verdict: .approve, reason: "ok").cbor
        for change: [String: CBOR] in [["decision": .text("Approve")], ["reason": .text(" ")], ["request": .bytes([1])]] {
            #expect(decode(.promotionDecision, decision.merging(change) { $1 }) == nil, "\(change)")
        }
        #expect(decode(.promotionDecision, decision.filter { $0.key != "reason" }) == nil)
        let request = PromotionRequest(model: id, version: id, alias: "production", reason: "r").cbor
        #expect(decode(.promotionRequest, request.filter { $0.key != "version" }) == nil)
        #expect(decode(.promotionRequest, request.merging(["alias": .text("pre\u{301}prod")]) { $1 }) == nil)
    }
}
