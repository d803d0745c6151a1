import LedgerProtocol

/// The requests on one alias register (model, alias) and the alias writes they make (SPEC 6.15).
///
/// A request whose quorum is reached writes the register at the completing approval's place in the merge
/// order, as a write with the request's id and heads and the approval's clock, unless by then the
/// version was archived or the register's live heads were no longer the ones the request named (the
/// alias moved on). Candidates are taken in the order of their completing approvals, so an earlier
/// completion is a move that a later one must have seen. Everything is a function of the set of events.
public struct AliasApprovals: Sendable {
    public private(set) var outcomes: [LedgerID: PromotionOutcome] = [:]
    /// The writes of approved requests, to add to the register's direct writes.
    public private(set) var writes: [RegisterWrite<LedgerID?>] = []

    /// - Parameters:
    ///   - direct: the register's writes by `model.promote` and `model.demote` that were allowed (SPEC 9.2),
    ///     each with its order key.
    ///   - archived: each archived version's archive order key.
    public init(
        direct: [(write: RegisterWrite<LedgerID?>, order: OrderKey)], requests: [RequestRecord], decisions: [DecisionRecord],
        archived: [LedgerID: OrderKey], authority: TeamAuthority
    ) {
        var candidates = [(RequestRecord, OrderKey)]()
        let byRequest = Dictionary(grouping: decisions, by: \.body.request)
        for request in requests where authority.counts(author: request.author, seq: request.seq, order: request.order, required: .writer) {
            let outcome = Quorum.tally(request, decisions: byRequest[request.id] ?? [], authority: authority)
            outcomes[request.id] = outcome
            if outcome.state == .approved, let by = outcome.decidedBy { candidates.append((request, by.order)) }
        }
        // The register grows in merge order: direct writes up to each completion, then the completion itself.
        let sorted = direct.sorted { $0.order < $1.order }
        var register = LiveHeads()
        var next = 0
        func advance(before order: OrderKey?) {
            while next < sorted.count, order.map({ sorted[next].order < $0 }) ?? true {
                register.add(sorted[next].write)
                next += 1
            }
        }
        for (request, at) in candidates.sorted(by: { $0.1 < $1.1 }) {
            advance(before: at)
            if let why = Self.movedOn(request, before: at, live: register.live, archived: archived) {
                outcomes[request.id]?.state = .expired
                outcomes[request.id]?.expiry = why
                continue
            }
            let write = RegisterWrite<LedgerID?>(event: request.id, clock: at.clock, heads: request.heads, value: request.body.version)
            writes.append(write)
            register.add(write)
        }
        advance(before: nil)
        // An open request whose alias or version has moved on by now can no longer complete as asked.
        for request in requests where outcomes[request.id]?.state == .open {
            if let why = Self.movedOn(request, before: nil, live: register.live, archived: archived) {
                outcomes[request.id]?.state = .expired
                outcomes[request.id]?.expiry = why
            }
        }
    }

    /// Why a request can no longer move the alias as asked at `order` (nil: as things stand now), given the
    /// register's live heads just before it.
    static func movedOn(_ request: RequestRecord, before order: OrderKey?, live: Set<LedgerID>, archived: [LedgerID: OrderKey]) -> String? {
        if let when = archived[request.body.version], order.map({ when < $0 }) ?? true {
            return "the version was archived before the quorum"
        }
        return live == Set(request.heads) ? nil : "the alias moved on after the request"
    }
}
