import Foundation
import GRDB
import LedgerModel
import LedgerProtocol

extension Ledger {
    /// The deployment part of a model's audit trail: deployments and rollbacks (with what each replaced,
    /// NOT-ALLOWED when the environment's protection refused its author), rules, alerts, and the runs
    /// those alerts started, so the trail reads degraded -> alert -> retraining -> version -> promotion.
    func deploymentAudit(
        _ model: LedgerID, _ numbers: [LedgerID: VersionNumbering.Assigned], _ db: Database,
        _ entry: (LedgerID, AuditEntry.Action, (inout AuditEntry) -> Void) throws -> Void
    ) throws {
        func number(_ v: LedgerID?) -> UInt64? { v.flatMap { numbers[$0]?.number } }
        var replaced = [LedgerID: LedgerID]()
        var allowed = Set<LedgerID>()
        for stints in Deployments.timelines(try deploymentEntries(model, db)).values {
            for s in stints {
                allowed.insert(s.entry.event)
                replaced[s.entry.event] = s.replaced
            }
        }
        for r in try Row.fetchAll(db, sql: "SELECT * FROM deployments WHERE model = ?", arguments: [model]) {
            let event: LedgerID = r["event"]
            let rollback: Bool = r["rollback"]
            try entry(event, rollback ? .rolledBack : .deployed) { e in
                e.environment = r["environment"]
                e.to = number(r["version"])
                e.from = [number(replaced[event] ?? r["rolled_back"])].compactMap { $0 }
                e.reason = r["reason"]
                e.text = r["target"]
                e.authorized = allowed.contains(event)
            }
        }
        for r in try Row.fetchAll(db, sql: "SELECT * FROM monitor_rules WHERE model = ?", arguments: [model]) {
            try entry(r["rule"], .ruleAdded) { e in
                e.environment = r["environment"]
                let condition = RuleCondition(rawValue: r["condition"]) ?? .below
                let d = MonitorRule.Definition(
                    metric: r["metric"], condition: condition, threshold: r["threshold"], forMs: UInt64(clamping: r["for_ms"] as Int64),
                    command: r["command"], baseline: r["baseline"])
                e.text = d.text + (d.command.map { " -> run \($0)" } ?? " -> alert")
            }
        }
        for r in try Row.fetchAll(
            db, sql: "SELECT x.event, x.rule FROM monitor_rule_removals x JOIN monitor_rules r ON r.rule = x.rule WHERE r.model = ?",
            arguments: [model])
        {
            try entry(r["event"], .ruleRemoved) { $0.text = "rule \((r["rule"] as LedgerID).hex.prefix(12))" }
        }
        for r in try Row.fetchAll(db, sql: "SELECT event, environment, version, summary FROM monitor_alerts WHERE model = ?", arguments: [model]) {
            let alert: LedgerID = r["event"]
            try entry(alert, .alerted) { e in
                e.environment = r["environment"]
                e.to = number(r["version"])
                e.text = r["summary"]
            }
            for run in try Row.fetchAll(
                db, sql: "SELECT r.id, r.name FROM run_tags t JOIN runs r ON r.id = t.run WHERE t.key = 'mledger.alert' AND t.value = ?",
                arguments: [alert.hex])
            {
                let id: LedgerID = run["id"]
                try entry(id, .retrained) { $0.text = "run \(id.hex.prefix(12)) '\(run["name"] as String)' started by alert \(alert.hex.prefix(12))" }
            }
        }
    }
}
