import Foundation
import GRDB
import Testing

@testable import LedgerStore

/// A committed event must survive a power loss, not only a killed process: the ledger's connection runs
/// in WAL mode with synchronous = FULL (each commit waits for the disk), whatever GRDB's defaults are,
/// also when reads have connections of their own (GRDB sets NORMAL on a pool's writer).
@Suite struct DurabilityTests {
    @Test(arguments: [false, true]) func everyCommitWaitsForTheDisk(concurrentReads: Bool) throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("durable-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("ledger.sqlite").path
        for _ in 0..<2 {  // a new ledger, then the same one opened again
            let ledger = try Ledger(path: path, concurrentReads: concurrentReads)
            // On the connection that commits.
            func settings() throws -> (String?, Int?) {
                try ledger.write { db in
                    (try String.fetchOne(db, sql: "PRAGMA journal_mode"), try Int.fetchOne(db, sql: "PRAGMA synchronous"))
                }
            }
            let (mode, sync) = try settings()
            #expect(mode == "wal")
            #expect(sync == 2, "PRAGMA synchronous is \(sync ?? -1), not FULL (2)")
        }
    }

    /// A relay's copy of a PostgreSQL history does not wait for the disk: the database is what lasts.
    @Test func aCopyOfAHistoryKeptElsewhereDoesNotWaitForTheDisk() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("copy-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let ledger = try Ledger(path: folder.appendingPathComponent("relay.sqlite").path, concurrentReads: true, waitsForDisk: false)
        #expect(try ledger.write { db in try Int.fetchOne(db, sql: "PRAGMA synchronous") } == 1)
    }
}
