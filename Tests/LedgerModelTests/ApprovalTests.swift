import LedgerProtocol
import LedgerTestSupport
import Testing

@testable import LedgerModel

@Suite struct ApprovalTests {
    @Test func twoMaintainersApproveAndTheAliasMoves() throws {
        var s = ApprovalScenario()
        let r = s.request(s.v1, by: s.dave)
        s.decide(r, .approve, by: s.bob)
        #expect(s.resolve().outcomes[r]?.state == .open)
        #expect(s.register(s.resolve()).winner == nil)
        let carols = s.decide(r, .approve, by: s.carol)
        let outcome = try #require(s.resolve().outcomes[r])
        #expect(outcome.state == .approved)
        #expect(outcome.decidedBy?.id == carols)
        #expect(outcome.approvers == [s.bob.publicKey, s.carol.publicKey])
        let winner = try #require(s.register(s.resolve()).winner)
        #expect(winner.event == r && winner.value == s.v1)
    }

    @Test func twoDevicesOfOneMemberCountOnce() {
        var s = ApprovalScenario()
        let r = s.request(s.v1, by: s.dave)
        s.decide(r, .approve, by: s.bob)
        s.decide(r, .approve, by: s.bobLaptop)
        let outcome = s.resolve().outcomes[r]
        #expect(outcome?.state == .open)
        #expect(outcome?.approvers == [s.bob.publicKey])
        guard case .ignored(let why)? = outcome?.decisions.last?.count else {
            Issue.record("the second device's approval must be ignored")
            return
        }
        #expect(why.contains("counts once"))
    }

    @Test func aWritersApprovalDoesNotCountNorDoesItsRejectionBlock() {
        var s = ApprovalScenario()
        let r = s.request(s.v1, by: s.bob)
        s.decide(r, .approve, by: s.dave)
        s.decide(r, .reject, by: s.dave)
        s.decide(r, .approve, by: s.carol)
        #expect(s.resolve().outcomes[r]?.state == .open)
        s.decide(r, .approve, by: s.erin)
        #expect(s.resolve().outcomes[r]?.state == .approved)
        #expect(s.resolve().outcomes[r]?.approvers == [s.carol.publicKey, s.erin.publicKey])
    }

    @Test func aRemovedMembersLaterApprovalDoesNotCountButAnEarlierOneStays() {
        var s = ApprovalScenario()
        let r = s.request(s.v1, by: s.dave)
        s.decide(r, .approve, by: s.bob)
        s.sign(MemberRemove(member: s.bob.publicKey, reason: "left"), by: s.alice)
        s.sign(MemberRemove(member: s.carol.publicKey, reason: "left"), by: s.alice)
        s.decide(r, .approve, by: s.carol)
        var outcome = s.resolve().outcomes[r]
        #expect(outcome?.state == .open)
        #expect(outcome?.approvers == [s.bob.publicKey])
        s.decide(r, .approve, by: s.erin)
        outcome = s.resolve().outcomes[r]
        #expect(outcome?.state == .approved)
        #expect(outcome?.approvers == [s.bob.publicKey, s.erin.publicKey])
    }

    @Test func aMaintainersRejectionBlocksAndLaterApprovalsAreLate() {
        var s = ApprovalScenario()
        let r = s.request(s.v1, by: s.dave)
        s.decide(r, .approve, by: s.bob)
        let no = s.decide(r, .reject, by: s.erin)
        s.decide(r, .approve, by: s.carol)
        let outcome = s.resolve().outcomes[r]
        #expect(outcome?.state == .rejected)
        #expect(outcome?.decidedBy?.id == no)
        #expect(outcome?.decisions.last?.count == .late)
        #expect(s.register(s.resolve()).winner == nil)
    }

    @Test func aRejectionAfterTheQuorumIsLate() {
        var s = ApprovalScenario()
        let r = s.request(s.v1, by: s.dave)
        s.decide(r, .approve, by: s.bob)
        s.decide(r, .approve, by: s.carol)
        s.decide(r, .reject, by: s.erin)
        #expect(s.resolve().outcomes[r]?.state == .approved)
        #expect(s.resolve().outcomes[r]?.decisions.last?.count == .late)
    }

    @Test func theRequestersOwnApprovalDoesNotCountWhenTheProtectionSaysSo() {
        var s = ApprovalScenario(approvals: 1, notRequester: true)
        let r = s.request(s.v1, by: s.bob)
        s.decide(r, .approve, by: s.bobLaptop)
        #expect(s.resolve().outcomes[r]?.state == .open)
        s.decide(r, .approve, by: s.carol)
        #expect(s.resolve().outcomes[r]?.state == .approved)
        var open = ApprovalScenario(approvals: 1, notRequester: false)
        let own = open.request(open.v1, by: open.bob)
        open.decide(own, .approve, by: open.bob)
        #expect(open.resolve().outcomes[own]?.state == .approved)
    }

    @Test func aRequestExpiresWhenTheAliasMovesOnBeforeTheQuorum() {
        var s = ApprovalScenario(approvals: 1)
        let first = s.request(s.v1, by: s.dave)
        let second = s.request(s.v2, by: s.dave)
        s.decide(first, .approve, by: s.bob)
        // The second request named no head; the alias has moved (the first request) before its approval.
        s.decide(second, .approve, by: s.carol)
        let approvals = s.resolve()
        #expect(approvals.outcomes[first]?.state == .approved)
        #expect(approvals.outcomes[second]?.state == .expired)
        #expect(approvals.outcomes[second]?.expiry?.contains("moved on") == true)
        #expect(s.register(approvals).winner?.event == first)
        // A request that names the completed one as its head moves the alias on.
        let third = s.request(s.v2, by: s.dave, heads: [first])
        s.decide(third, .approve, by: s.erin)
        #expect(s.resolve().outcomes[third]?.state == .approved)
        #expect(s.register(s.resolve()).winner?.value == s.v2)
    }

    @Test func anOpenRequestExpiresWhenItsVersionIsArchivedOrTheAliasIsDemoted() {
        var s = ApprovalScenario(approvals: 2)
        let r = s.request(s.v1, by: s.dave)
        s.decide(r, .approve, by: s.bob)
        s.sign(VersionArchive(model: s.model, version: s.v1, reason: "leaks test data"), by: s.dave)
        s.decide(r, .approve, by: s.carol)
        #expect(s.resolve().outcomes[r]?.state == .expired)
        #expect(s.resolve().outcomes[r]?.expiry?.contains("archived") == true)

        var d = ApprovalScenario(approvals: 1)
        let one = d.request(d.v1, by: d.dave)
        d.decide(one, .approve, by: d.bob)
        let two = d.request(d.v2, by: d.dave, heads: [one])
        d.sign(Demote(model: d.model, alias: "production", reason: "incident"), by: d.carol, heads: [one])
        #expect(d.resolve().outcomes[two]?.state == .expired)
        #expect(d.register(d.resolve()).winner?.value == .some(nil))
    }

    @Test func aDecisionDatedBeforeItsRequestCountsNowhere() {
        var s = ApprovalScenario(approvals: 1)
        let r = s.request(s.v1, by: s.dave)
        var early = s.decisions
        // Carol's decision signed with a clock below the request's: it cannot have seen it.
        let d = DecisionRecord(
            id: Hashing.blake2b256([9]), order: OrderKey(clock: 1, author: s.carol.publicKey, seq: 9), author: s.carol.publicKey, seq: 9,
            body: PromotionDecision(request: r, verdict: .approve, reason: "ok"))
        early.append(d)
        let outcome = s.resolve(decisionOrder: early).outcomes[r]
        #expect(outcome?.state == .open)
        #expect(outcome?.decisions.first?.count == .ignored("dated before the request it decides"))
    }

    /// Every arrangement of the team events, requests and decisions gives the same outcomes and register.
    @Test func theOutcomeDoesNotDependOnTheOrderEventsArrive() {
        var s = ApprovalScenario(approvals: 2, notRequester: true)
        let a = s.request(s.v1, by: s.bob)
        s.decide(a, .approve, by: s.bob)
        s.decide(a, .approve, by: s.bobLaptop)
        s.decide(a, .approve, by: s.dave)
        s.sign(MemberRemove(member: s.erin.publicKey, reason: "left"), by: s.alice)
        s.decide(a, .approve, by: s.erin)
        s.decide(a, .approve, by: s.carol)
        let b = s.request(s.v2, by: s.dave)
        s.decide(b, .reject, by: s.carol)
        let reference = s.resolve()
        #expect(reference.outcomes[a]?.state == .open)
        #expect(reference.outcomes[b]?.state == .rejected)
        var generator = SplitMix(seed: 16)
        for _ in 0..<200 {
            let shuffled = s.resolve(
                teamOrder: s.teamEvents.shuffled(using: &generator), requestOrder: s.requests.shuffled(using: &generator),
                decisionOrder: s.decisions.shuffled(using: &generator))
            #expect(shuffled.outcomes == reference.outcomes)
            #expect(s.register(shuffled) == s.register(reference))
        }
    }

    /// All permutations of four decisions by distinct kinds of deciders: the outcome is that of the merge order.
    @Test func everyPermutationOfDecisionsGivesTheSameOutcome() {
        var s = ApprovalScenario(approvals: 2)
        let r = s.request(s.v1, by: s.dave)
        s.decide(r, .approve, by: s.bobLaptop)
        s.decide(r, .approve, by: s.bob)
        s.decide(r, .reject, by: s.dave)
        s.decide(r, .approve, by: s.erin)
        let reference = s.resolve()
        #expect(reference.outcomes[r]?.state == .approved)
        for p in permutations(s.decisions) {
            #expect(s.resolve(decisionOrder: p).outcomes == reference.outcomes)
        }
    }

    func permutations<T>(_ items: [T]) -> [[T]] {
        guard let first = items.first else { return [[]] }
        return permutations(Array(items.dropFirst())).flatMap { rest in (0...rest.count).map { i in Array(rest[..<i]) + [first] + Array(rest[i...]) }
        }
    }
}
