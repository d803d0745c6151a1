import Dispatch
import Foundation

// Timing and printing shared by every benchmark: each figure with its inputs and, where the project
// has one, its target.

let benchScale = Double(ProcessInfo.processInfo.environment["BENCH_SCALE"] ?? "1") ?? 1
func scaled(_ n: Int) -> Int { max(1, Int(Double(n) * benchScale)) }

func seconds(_ body: () throws -> Void) rethrows -> Double {
    let start = DispatchTime.now().uptimeNanoseconds
    try body()
    return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
}

func rate(_ count: Int, _ s: Double) -> String {
    let r = Double(count) / s
    return r >= 1e6 ? String(format: "%.2fM", r / 1e6) : String(format: "%.0f", r)
}

func report(_ name: String, _ count: Int, _ unit: String, _ s: Double, target: Double? = nil, note: String = "") {
    let r = Double(count) / s
    let verdict = target.map { r >= $0 ? "  [target >= \(rate(Int($0), 1)): met]" : "  [target >= \(rate(Int($0), 1)): MISSED]" } ?? ""
    print(
        "  \(name.padding(toLength: 44, withPad: " ", startingAt: 0)) \(rate(count, s).padding(toLength: 9, withPad: " ", startingAt: 0)) \(unit)/s  (\(count) in \(String(format: "%.2f", s)) s)\(verdict)\(note)"
    )
}

/// A limit of this machine measured in the same run: throughputs are printed as shares of it, since
/// absolute figures move with the hardware and the share is what the code controls.
struct Limit {
    var name: String
    /// Per second.
    var rate: Double
}

/// `report`, with the figure's share of `limit` as the target.
func report(_ name: String, _ count: Int, _ unit: String, _ s: Double, limit: Limit, share target: Double) {
    let share = Double(count) / s / limit.rate
    let verdict = share >= target ? "met" : "MISSED"
    let percent = { (x: Double) in String(format: "%.0f%%", 100 * x) }
    report(
        name, count, unit, s, note: "  [\(percent(share)) of \(limit.name) (\(rate(Int(limit.rate), 1))/s); target >= \(percent(target)): \(verdict)]"
    )
}

func machine() -> String {
    let cpu =
        (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8))?
        .split(separator: "\n").first { $0.hasPrefix("model name") }?
        .split(separator: ":", maxSplits: 1).last?.trimmingCharacters(in: .whitespaces) ?? "unknown CPU"
    let memory = ProcessInfo.processInfo.physicalMemory / (1 << 30)
    return "\(cpu), \(ProcessInfo.processInfo.activeProcessorCount) cores, \(memory) GiB, \(ProcessInfo.processInfo.operatingSystemVersionString)"
}
