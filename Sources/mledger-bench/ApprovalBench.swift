import Foundation
import LedgerModel
import LedgerProtocol
import LedgerStore

/// What promotion requests cost the views (SPEC 6.15): outcomes are computed from the signed requests and
/// decisions when read, so a model with a long approval history is the heavy case. One alias that needs
/// two maintainers' approvals, moved by `scaled(1,000)` requests in a row, each approved by both.
func runApprovalBench(in temp: URL) async throws {
    let admin = SigningKey(seed: [UInt8](repeating: 0x51, count: 32))!
    let maintainers = [0x52, 0x53].map { SigningKey(seed: [UInt8](repeating: $0, count: 32))! }
    let ledger = try Ledger(path: temp.appendingPathComponent("approvals.sqlite").path)
    let now = wallClockMs()
    var a = ChainWriter(key: admin, clock: (now - 3_600_000) << 16)
    let genesis = a.next(TeamGenesis(name: "bench"), team: .zero, nowMs: 0)
    let team = genesis.id
    let model = EntityID.model(team: team, name: "digits")
    var events = [genesis] + maintainers.map { a.next(MemberAdd(member: $0.publicKey, role: .maintainer), team: team, nowMs: 0) }
    events.append(a.next(AliasProtect(alias: "production", role: .maintainer, approvals: 2), team: team, nowMs: 0))
    events.append(a.next(ModelCreate(name: "digits"), team: team, nowMs: 0))
    let version = a.next(VersionCreate(model: model, run: nil, files: [], claimedNumber: 1), team: team, nowMs: 0)
    events.append(version)
    var writers = maintainers.map { ChainWriter(key: $0) }
    let count = scaled(1_000)
    var previous = [LedgerID]()
    for i in 0..<count {
        let request = a.next(
            PromotionRequest(model: model, version: version.id, alias: "production", reason: "round \(i)"), team: team, heads: previous, nowMs: 0)
        events.append(request)
        for w in writers.indices {
            writers[w].observe(clock: request.envelope.clock)
            events.append(writers[w].next(PromotionDecision(request: request.id, verdict: .approve, reason: "checked"), team: team, nowMs: 0))
            a.observe(clock: writers[w].clock)
        }
        previous = [request.id]
    }
    for start in stride(from: 0, to: events.count, by: 2_000) { _ = try ledger.ingest(Array(events[start..<min(start + 2_000, events.count)])) }

    print("Promotion approvals, computed when read (median of 5; \(count) requests on one alias, each approved by 2 maintainers):")
    var requests = [RequestView]()
    let listed = try await median(5) { requests = try ledger.requests(model: model) }
    show("requests with outcomes (`mledger model requests`)", listed, bytes: 0)
    let approved = requests.filter { $0.state == .approved }.count
    let view = try await median(5) { _ = try ledger.model(model) }
    show("model view with its aliases (every registry read)", view, bytes: 0)
    let audit = try await median(5) { _ = try ledger.audit(model: model) }
    show("model audit trail with requests and decisions", audit, bytes: 0)
    print("  (\(approved) of \(count) requests approved, as expected: \(approved == count ? "yes" : "NO"))")
}
