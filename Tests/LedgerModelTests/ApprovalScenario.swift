import LedgerProtocol

@testable import LedgerModel

/// A small team with signed events at fixed clocks: alice (admin), bob, carol and erin (maintainers), dave
/// (a writer), bob's second device; `production` protected by maintainers with two approvals.
struct ApprovalScenario {
    static func key(_ n: UInt8) -> SigningKey {
        // A fixed 32-byte seed always gives a key.
        SigningKey(seed: [UInt8](repeating: n, count: 32))!
    }
    let alice = key(1), bob = key(2), carol = key(3), dave = key(4), erin = key(5), bobLaptop = key(6)
    let model = Hashing.blake2b256(Array("model".utf8))
    let v1 = Hashing.blake2b256(Array("v1".utf8))
    let v2 = Hashing.blake2b256(Array("v2".utf8))
    private(set) var team = LedgerID.zero
    private var writers: [PublicKey: ChainWriter] = [:]
    private(set) var teamEvents: [TeamEvent] = []
    private(set) var requests: [RequestRecord] = []
    private(set) var decisions: [DecisionRecord] = []
    private(set) var direct: [(write: RegisterWrite<LedgerID?>, order: OrderKey)] = []
    private(set) var archived: [LedgerID: OrderKey] = [:]
    /// Every event signed so far moves time on: the next one is ordered after it.
    private var clock: UInt64 = 1_767_225_600_000 << 16

    init(approvals: Int = 2, notRequester: Bool = false) {
        let genesis = sign(TeamGenesis(name: "vision"), by: alice)
        team = genesis.id
        for (k, role) in [(bob, Role.maintainer), (carol, .maintainer), (dave, .writer), (erin, .maintainer)] {
            sign(MemberAdd(member: k.publicKey, role: role), by: alice)
        }
        sign(DeviceLink(linking: bobLaptop, to: bob.publicKey, team: team, label: "laptop"), by: bob)
        sign(AliasProtect(alias: "production", role: .maintainer, approvals: approvals, notRequester: notRequester), by: alice)
    }

    @discardableResult
    mutating func sign(_ body: some BodyFields, by key: SigningKey, heads: [LedgerID] = []) -> SignedEvent {
        var w = writers[key.publicKey] ?? ChainWriter(key: key)
        w.observe(clock: clock)
        let event = w.next(body, team: team, heads: heads, nowMs: 0)
        writers[key.publicKey] = w
        clock = event.envelope.clock
        let order = OrderKey(event)
        switch try? event.body() {
        case .promotionRequest(let b)?: requests.append(RequestRecord(event, b))
        case .promotionDecision(let b)?: decisions.append(DecisionRecord(event, b))
        case .promote(let b)?: direct.append((RegisterWrite(event: event.id, clock: event.envelope.clock, heads: heads, value: b.version), order))
        case .demote?: direct.append((RegisterWrite(event: event.id, clock: event.envelope.clock, heads: heads, value: nil), order))
        case .versionArchive(let b)?: archived[b.version] = order
        case let body? where TeamAuthority.kinds.contains(body.kind):
            teamEvents.append(TeamEvent(id: event.id, order: order, author: key.publicKey, seq: event.envelope.seq, body: body))
        default: break
        }
        return event
    }

    mutating func request(_ version: LedgerID, by key: SigningKey, heads: [LedgerID] = []) -> LedgerID {
        sign(PromotionRequest(model: model, version: version, alias: "production", reason: "better on holdout"), by: key, heads: heads).id
    }

    @discardableResult
    mutating func decide(_ request: LedgerID, _ verdict: PromotionDecision.Verdict, by key: SigningKey) -> LedgerID {
        sign(PromotionDecision(request: request, verdict: verdict, reason: "\(verdict.rawValue)d after review"), by: key).id
    }

    /// The outcome, from the events in the given arrangement of each input list.
    func resolve(
        teamOrder: [TeamEvent]? = nil, requestOrder: [RequestRecord]? = nil, decisionOrder: [DecisionRecord]? = nil
    ) -> AliasApprovals {
        AliasApprovals(
            direct: direct, requests: requestOrder ?? requests, decisions: decisionOrder ?? decisions, archived: archived,
            authority: TeamAuthority(events: teamOrder ?? teamEvents))
    }

    func register(_ approvals: AliasApprovals) -> RegisterState<LedgerID?> {
        RegisterState(writes: direct.map(\.write) + approvals.writes)
    }
}
