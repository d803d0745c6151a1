import LedgerProtocol

/// A stored `model.promotion.request`, as the approval rules read it.
public struct RequestRecord: Sendable, Equatable {
    public var id: LedgerID
    public var order: OrderKey
    public var author: PublicKey
    public var seq: UInt64
    /// The alias writes the requester saw (the envelope's heads).
    public var heads: [LedgerID]
    public var body: PromotionRequest

    public init(id: LedgerID, order: OrderKey, author: PublicKey, seq: UInt64, heads: [LedgerID], body: PromotionRequest) {
        self.id = id
        self.order = order
        self.author = author
        self.seq = seq
        self.heads = heads
        self.body = body
    }

    public init(_ event: SignedEvent, _ body: PromotionRequest) {
        self.init(
            id: event.id, order: OrderKey(event), author: event.envelope.author, seq: event.envelope.seq, heads: event.envelope.heads, body: body)
    }
}

/// A stored `model.promotion.decision`, as the approval rules read it.
public struct DecisionRecord: Sendable, Equatable {
    public var id: LedgerID
    public var order: OrderKey
    public var author: PublicKey
    public var seq: UInt64
    public var body: PromotionDecision

    public init(id: LedgerID, order: OrderKey, author: PublicKey, seq: UInt64, body: PromotionDecision) {
        self.id = id
        self.order = order
        self.author = author
        self.seq = seq
        self.body = body
    }

    public init(_ event: SignedEvent, _ body: PromotionDecision) {
        self.init(id: event.id, order: OrderKey(event), author: event.envelope.author, seq: event.envelope.seq, body: body)
    }
}

/// What a protected alias asks of a promotion: how many distinct members, with which role, and whether the
/// requester's own approval counts. Read from the protection in force just before the request.
public struct ApprovalRule: Sendable, Equatable, Codable {
    public var approvals: Int
    public var role: Role
    public var notRequester: Bool

    public init(approvals: Int, role: Role, notRequester: Bool) {
        self.approvals = approvals
        self.role = role
        self.notRequester = notRequester
    }

    /// The rule for a request on `alias` at `order`: an alias protected without approvals still needs one
    /// approval from the role that protects it (a request is a request), and never less than a writer's.
    public init(alias: String, at order: OrderKey, in authority: TeamAuthority) {
        let p = authority.protection(of: alias, before: order)
        self.init(approvals: max(1, p?.approvals ?? 0), role: max(.writer, p?.role ?? .writer), notRequester: p?.notRequester ?? false)
    }
}
