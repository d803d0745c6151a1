import Foundation
import GRDB
import LedgerProtocol
import LedgerStore
import Testing

@testable import LedgerRelay

/// A SQLite relay's nonces: each accepted once, kept across a restart, and, in a relay upgraded from a
/// version that kept them in the ledger, the recent ones carried over so a replay stays refused.
@Suite struct NonceFileTests {
    @Test func aNonceIsAcceptedOnceAcrossRestartsAndOldOnesCarryOver() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("nonces-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let ledgerPath = folder.appendingPathComponent("relay.sqlite").path
        let now = wallClockMs()
        do {
            _ = try Ledger(path: ledgerPath)
            // What an earlier version recorded in the ledger: one recent nonce, one long expired.
            let queue = try DatabaseQueue(path: ledgerPath)
            try queue.write { db in
                try db.execute(
                    sql: "INSERT INTO request_nonces (nonce, time) VALUES ('recent', ?), ('expired', ?)",
                    arguments: [Int64(now) - 60_000, Int64(now) - 3_600_000])
            }
        }
        let ledger = try Ledger(path: ledgerPath)
        let nonces = try NonceFile(besideLedger: ledger)
        #expect(try !nonces.accept("recent", timeMs: now - 60_000, nowMs: now), "carried over: a replay is refused")
        #expect(try nonces.accept("new", timeMs: now, nowMs: now))
        #expect(try !nonces.accept("new", timeMs: now, nowMs: now))
        let reopened = try NonceFile(besideLedger: ledger)
        #expect(try !reopened.accept("new", timeMs: now, nowMs: now), "kept across a restart")
        // Past twice the signature window a nonce is forgotten (its request is refused by time anyway).
        let later = now + 2 * RequestSignature.maxSkewMs + 1000
        #expect(try reopened.accept("new", timeMs: later, nowMs: later))
    }
}
