import Foundation

/// What one scenario did and every check that failed; its worker threads add to it concurrently.
final class Tally: @unchecked Sendable {
    let scenario: String
    private let lock = NSLock()
    private var counts = (events: 0, clients: 0, faults: 0, inputs: 0)
    private var failed = [String]()
    private var kinds = [String: Int]()
    var seconds = 0.0

    init(scenario: String) { self.scenario = scenario }

    /// Adds to the counts; `as` names what the faults or inputs were, for the scenario's line.
    func add(events: Int = 0, clients: Int = 0, faults: Int = 0, inputs: Int = 0, as kind: String? = nil) {
        lock.withLock {
            counts.events += events
            counts.clients += clients
            counts.faults += faults
            counts.inputs += inputs
            if let kind { kinds[kind, default: 0] += faults + inputs }
        }
    }

    /// Records a failure unless `condition` holds.
    func check(_ condition: Bool, _ message: @autoclosure () -> String) {
        if !condition { fail(message()) }
    }

    func fail(_ message: String) { lock.withLock { failed.append(message) } }

    var events: Int { lock.withLock { counts.events } }
    var clients: Int { lock.withLock { counts.clients } }
    var faults: Int { lock.withLock { counts.faults } }
    var inputs: Int { lock.withLock { counts.inputs } }
    var failures: [String] { lock.withLock { failed } }

    var line: String {
        let detail = lock.withLock { kinds.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ") }
        return "\(scenario): events=\(events) clients=\(clients) faults=\(faults) inputs=\(inputs) failures=\(failures.count) "
            + "(\(Int(seconds.rounded())) s\(detail.isEmpty ? "" : "; " + detail))"
    }
}

/// The suite's figures, added up over the scenarios.
struct Summary: Encodable {
    var seed: UInt64
    var events = 0, clients = 0, faults = 0, inputs = 0, failures = 0
    var seconds: Int
    var failedScenarios: [String]

    init(seed: UInt64, tallies: [Tally], seconds: Double) {
        self.seed = seed
        self.seconds = Int(seconds.rounded())
        for t in tallies {
            events += t.events
            clients += t.clients
            faults += t.faults
            inputs += t.inputs
            failures += t.failures.count
        }
        failedScenarios = tallies.filter { !$0.failures.isEmpty }.map(\.scenario)
    }

    var line: String {
        "torture: seed=\(seed) events=\(events) clients=\(clients) faults=\(faults) inputs=\(inputs) failures=\(failures) (\(seconds) s)"
    }

    func json() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: try encoder.encode(self), as: UTF8.self)
    }
}
