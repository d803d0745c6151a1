import Foundation
import LedgerModel
import LedgerProtocol
import LedgerStore

/// Evaluates the rules in effect over the production points of the versions serving now (`RuleCheck`),
/// and signs an alert for each new breach. One alert per breach: a breach already alerted (an alert of
/// the same rule and version ending inside it) is not alerted again, even by a restarted watcher.
struct Watcher {
    struct Fired: Encodable {
        var alert: String
        var rule: String
        var model: String
        var environment: String
        var version: String
        var summary: String
        /// The key that signed the rule (hex).
        var ruleAuthor: String
        var command: String?
        var exitCode: Int32?
    }

    let session: Session
    let signer: SigningKey
    let model: LedgerID?

    /// Checks every rule once; returns the alerts it signed, with the command each should start.
    func check() throws -> [(fired: Fired, alert: MonitorAlert)] {
        var out = [(fired: Fired, alert: MonitorAlert)]()
        let ledger = session.ledger
        for (view, definition) in try ledger.rules(model: model) {
            guard let rule = LedgerID(hex: view.id), let modelID = LedgerID(hex: view.model),
                let stint = try ledger.stints(model: modelID, environment: view.environment).last
            else { continue }
            let version = stint.entry.version
            let points = try ledger.productionPoints(
                model: modelID, environment: view.environment, version: version, key: definition.metric,
                since: RuleCheck.lookbackStart(stint: stint.entry.time, now: Int64(wallClockMs()), definition))
            let baseline =
                definition.condition == .drift ? try ledger.trainingValue(version: version, key: definition.baseline ?? definition.metric) : nil
            guard let window = RuleCheck.firingWindow(points, definition, baseline: baseline), let first = window.first,
                try !ledger.hasAlert(rule: rule, version: version, endingAtOrAfter: first.timestamp)
            else { continue }
            let summary = RuleCheck.summary(metric: definition.metric, definition, window: window, baseline: baseline)
            let alert = MonitorAlert(
                rule: rule, model: modelID, environment: view.environment, version: version, metric: definition.metric, points: window,
                baseline: baseline, summary: summary)
            let event = try ledger.append(try Ledger.Draft(alert), signer: signer)
            out.append(
                (
                    Fired(
                        alert: event.id.hex, rule: view.id, model: view.modelName, environment: view.environment, version: version.hex,
                        summary: summary, ruleAuthor: view.author.key, command: definition.command), alert
                ))
        }
        return out
    }

    /// Starts a rule's command with the alert in its environment (`MLEDGER_ALERT` and friends); `mledger run`
    /// tags the run it starts with `mledger.alert`, so the retraining links back to the alert.
    static func start(_ command: String, for fired: Fired, in directory: URL) throws -> Int32 {
        var environment = ProcessInfo.processInfo.environment
        environment["MLEDGER_ALERT"] = fired.alert
        environment["MLEDGER_ALERT_RULE"] = fired.rule
        environment["MLEDGER_ALERT_MODEL"] = fired.model
        environment["MLEDGER_ALERT_ENV"] = fired.environment
        environment["MLEDGER_ALERT_VERSION"] = fired.version
        environment["MLEDGER_ALERT_SUMMARY"] = fired.summary
        environment["PWD"] = directory.path
        let outcome = try ChildProcess.run(["/bin/sh", "-c", command], environment: environment)
        return outcome.exitCode ?? 128
    }
}
