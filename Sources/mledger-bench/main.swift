import Foundation

// `make bench`: the throughput of this machine, next to the physical limits it runs into (libsodium's
// Ed25519 sign and verify rates). Every figure is printed with its inputs. BENCH_SCALE=0.1 runs a
// smaller version; BENCH_ONLY=dashboard (or core, relay, pictures, webhooks, monitor, approvals, transparency; comma-separated) runs
// some sections.

let temp = FileManager.default.temporaryDirectory.appendingPathComponent("mledger-bench-\(UUID().uuidString)")
try FileManager.default.createDirectory(at: temp, withIntermediateDirectories: true)
defer { try? FileManager.default.removeItem(at: temp) }

print("ModelLedger benchmark")
print("machine: \(machine())")
print("")
let sections = Set(
    (ProcessInfo.processInfo.environment["BENCH_ONLY"] ?? "core,relay,dashboard,pictures,webhooks,monitor,approvals,transparency").split(
        separator: ","))
if sections.contains("core") || sections.contains("relay") {
    let rawVerifyRate = try runCoreBench(in: temp)
    print("")
    if sections.contains("relay") {
        try await runRelayBench(in: temp, rawVerifyRate: rawVerifyRate)
        print("")
    }
}
if sections.contains("dashboard") {
    try await runDashboardBench(in: temp)
    print("")
}
if sections.contains("pictures") {
    try await runPictureBench(in: temp)
    print("")
}
if sections.contains("webhooks") { try await runWebhookBench(in: temp) }
if sections.contains("monitor") { try await runMonitorBench(in: temp) }
if sections.contains("approvals") { try await runApprovalBench(in: temp) }
if sections.contains("transparency") { try runTransparencyBench(in: temp) }
