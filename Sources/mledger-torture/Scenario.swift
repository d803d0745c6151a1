import Foundation
import LedgerProcesses

/// One part of the suite: it does its work against real processes and records counts and failed checks.
protocol Scenario: Sendable {
    var name: String { get }
    func run(_ context: ScenarioContext, _ tally: Tally) async throws
}

/// What every scenario gets: its own folder, the scale, and seeded generators.
struct ScenarioContext: Sendable {
    let seed: UInt64
    let scale: Scale
    let root: URL

    /// A generator for one worker of a scenario; the same seed gives the same choices.
    func rng(_ stream: UInt64 = 0) -> SplitMix {
        var mix = SplitMix(seed: seed ^ (stream &* 0x9E37_79B9_7F4A_7C15))
        _ = mix.next()
        return mix
    }
}

enum Scenarios {
    static let all: [any Scenario] = [Convergence(), Partition(), Crashes(), HostileInput(), Tamper(), SharedRelays()]
    static var names: [String] { all.map(\.name) }
}

/// Where the built binaries are (the folder of this executable unless MLEDGER_BIN_DIR says otherwise).
enum BinaryFolder {
    static var path: String {
        if let dir = ProcessInfo.processInfo.environment["MLEDGER_BIN_DIR"] { return dir }
        return URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().path
    }
}
