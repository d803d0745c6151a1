import ArgumentParser
import Foundation
import LedgerModel
import LedgerStore
import LedgerSync

struct Verify: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Re-check every signature, hash and chain link; exit non-zero if anything was altered.",
        discussion: """
            For every stored event: its id must be the hash of its bytes, its columns must match its signed \
            bytes, its signature must be valid, and its prev must name its author's previous event. Then the \
            views are rebuilt from the events (and thrown away) and compared with the stored ones. Any \
            problem is reported with the event's row in the events table and its id. Stored events that \
            count nowhere (a stranger's, a revoked device's, past a removal's chain end or a fork's bound) \
            are listed as such: they are evidence, not damage.
            """
    )
    @Flag(help: "Check only the events, not the derived views.") var eventsOnly = false
    @Flag(help: "Check the relay's transparency log instead: its checkpoint, and every receipt of this workspace's events in it.")
    var relay = false
    @Option(help: "With --relay: the remote (default: origin).") var remote: String?
    @OptionGroup var output: OutputOptions

    struct Report: Encodable {
        var ok: Bool
        var report: VerifyReport
        var digest: String
        /// Stored events that count nowhere, and why.
        var held: [HeldEventView]
    }

    func run() async throws {
        let session = try Session.open()
        if relay { return try await verifyRelay(session) }
        let ledger = session.ledger
        let progress = Progress(label: "verifying")
        let report = try ledger.verify(projections: !eventsOnly) { progress.update($0, $1) }
        let digest = try ledger.projectionDigest()
        let held = try ledger.heldEvents()
        if output.json {
            try Output.json(Report(ok: report.ok, report: report, digest: digest.hex, held: held))
        } else {
            for h in held { print("counts nowhere: \(h.event.prefix(12)) \(h.kind) by \(h.author.label): \(h.reason)") }
            for p in report.problems { print("row \(p.row), event \(p.event): \(p.code): \(p.message)") }
            for table in report.projectionMismatches ?? [] {
                print("view table '\(table)' differs from the events: run `mledger rebuild` to recompute it")
            }
            for f in report.forks { print("fork: author \(f.author.fingerprint) signed \(f.events.count) events at seq \(f.seq)") }
            print(
                report.ok
                    ? "OK: \(report.events) events from \(report.authors) authors verified; views match (digest \(digest.short))"
                    : "FAILED: \(report.problems.count) altered or invalid events, \((report.projectionMismatches ?? []).count) view tables differ")
        }
        if !report.ok { throw ExitCode(1) }
    }
}

extension Verify {
    struct RelayReport: Encodable {
        var ok: Bool
        var size: UInt64
        var receipts: Int
    }

    /// `--relay`: a failed check throws the sync error that names it (its evidence is stored).
    func verifyRelay(_ session: Session) async throws {
        let syncer = try Syncer(
            ledger: session.ledger, remote: try Sync.remote(session, remote), key: try session.signer(), blobs: nil)
        let (size, receipts) = try await syncer.verifyReceipts()
        if output.json { return try Output.json(RelayReport(ok: true, size: size, receipts: receipts)) }
        print(
            "OK: the relay's checkpoint of \(size) entries is signed and consistent with the last one accepted; \(receipts) receipts of this workspace's events proved in it"
        )
    }
}

struct Rebuild: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Recompute all views (runs, models, aliases, ...) from the events alone.",
        discussion: "The result is identical to the incrementally maintained views, on any machine."
    )
    @OptionGroup var output: OutputOptions

    func run() throws {
        let ledger = try Session.open().ledger
        let before = try ledger.projectionDigest()
        let progress = Progress(label: "rebuilding")
        let count = try ledger.rebuild { progress.update($0, $1) }
        let after = try ledger.projectionDigest()
        if output.json {
            return try Output.json(["events": String(count), "digestBefore": before.hex, "digest": after.hex])
        }
        print("Rebuilt views from \(count) events: digest \(after.short)\(before == after ? " (unchanged)" : " (was \(before.short))")")
    }
}
