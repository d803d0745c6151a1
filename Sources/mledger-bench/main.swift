import Foundation

// `make bench`: the throughput of this machine as shares of the physical limits it runs into, measured
// in the same run (libsodium's Ed25519 sign and verify rates, SQLite's raw insert rate). Every figure is printed with its inputs. BENCH_SCALE=0.1 runs a
// smaller version; BENCH_ONLY=dashboard (or core, relay, pictures, webhooks, monitor, approvals, transparency; comma-separated) runs
// some sections; `--scale` runs the big-history fixture and the 5 GB blob (`make bench-scale`; BENCH_ONLY=blobs
// with `--scale` runs the blob part alone).

let temp = FileManager.default.temporaryDirectory.appendingPathComponent("mledger-bench-\(UUID().uuidString)")
try FileManager.default.createDirectory(at: temp, withIntermediateDirectories: true)
defer { try? FileManager.default.removeItem(at: temp) }

print("ModelLedger benchmark")
print("machine: \(machine())")
print("")
// `--scale` runs the big-history fixture alone (it takes minutes and a few GB of disk).
let defaultSections =
    CommandLine.arguments.contains("--scale") ? "scale,blobs" : "core,relay,dashboard,pictures,webhooks,monitor,approvals,transparency"
let sections = Set((ProcessInfo.processInfo.environment["BENCH_ONLY"] ?? defaultSections).split(separator: ","))
if sections.contains("core") || sections.contains("relay") {
    let rawVerify = try runCoreBench(in: temp)
    print("")
    if sections.contains("relay") {
        try await runRelayBench(in: temp, rawVerify: rawVerify)
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
if sections.contains("scale") { try await runScaleBench(in: temp) }
if sections.contains("transparency") { try runTransparencyBench(in: temp) }
if sections.contains("blobs") {
    print("")
    try await runBlobBench(in: temp)
}
