import Foundation
import GRDB
import LedgerModel
import LedgerProtocol

/// Projects deployments, production points, rules and alerts (SPEC 6.16): rows keyed by their event,
/// so any arrival order gives the same tables; which deployment serves is folded at query time.
struct MonitorProjector {
    let db: Database

    func apply(_ event: SignedEvent, _ body: EventBody) throws {
        typealias W = TableWrites
        let env = event.envelope
        let ord = OrderKey(event)
        let clock = env.clock.sqlInteger
        switch body {
        case .deploymentRecord(let b):
            try W.deployment.execute(
                db, [event.id, b.model, b.environment, b.version, false, nil, b.target, b.reason, env.author, clock, ord])
        case .deploymentRollback(let b):
            try W.deployment.execute(
                db, [event.id, b.model, b.environment, b.version, true, b.from, nil, b.reason, env.author, clock, ord])
        case .monitorPoints(let b):
            for (key, points) in b.series {
                let times = points.map(\.timestamp)
                try W.monitorChunk.execute(
                    db,
                    [
                        event.id, key, b.model, b.environment, b.version, Int64(points.count), times.min() ?? 0, times.max() ?? 0,
                        Data(MetricPoint.pack(points)), b.source, env.author, ord,
                    ])
            }
        case .monitorRule(let b):
            if let removed = b.remove {
                try W.monitorRuleRemoval.execute(db, [event.id, removed, env.author, clock, ord])
            } else if let d = b.definition {
                try W.monitorRule.execute(
                    db,
                    [
                        event.id, b.model, b.environment, d.metric, d.condition.rawValue, d.threshold, Int64(clamping: d.forMs), d.command,
                        d.baseline, env.author, clock, ord,
                    ])
            }
        case .monitorAlert(let b):
            let times = b.points.map(\.timestamp)
            try W.monitorAlert.execute(
                db,
                [
                    event.id, b.rule, b.model, b.environment, b.version, b.metric, times.min() ?? 0, times.max() ?? 0,
                    Int64(b.points.count), b.baseline, b.summary, Data(MetricPoint.pack(b.points)), env.author, clock,
                ])
        default:
            break
        }
    }
}
