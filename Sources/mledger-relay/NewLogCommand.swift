import ArgumentParser
import Foundation

/// `mledger-relay new-log --data DIR`: after a restore from a backup, a new transparency log under a new key.
struct NewLog: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "new-log",
        abstract: "Start a SQLite relay's transparency log anew, under a new key: after restoring it from a backup.",
        usage: "mledger-relay new-log --data /var/lib/mledger-relay",
        discussion: """
            A relay restored from a backup has lost the end of its log, so checkpoints its members accepted \
            and cosigned no longer hold. Stop the relay, run this, start it: it rebuilds the log from its \
            events and signs it with a new key. Members' next sync stops with log_key_changed; each member \
            accepts the restored relay with `mledger sync --forget-relay-log` (if the team announced its \
            relay's log key, an admin first runs `mledger team announce-relay`). Cosignatures of the old \
            log are of the old key, so they are never held against the new one.
            """
    )

    @Option(help: "The relay's data folder (the one with relay.sqlite).")
    var data: String

    func validate() throws {
        guard FileManager.default.fileExists(atPath: URL(fileURLWithPath: data).appendingPathComponent("relay.sqlite").path) else {
            throw ValidationError("\(data) has no relay.sqlite: --data takes a SQLite relay's data folder")
        }
    }

    func run() throws {
        let folder = URL(fileURLWithPath: data)
        var removed = 0
        for name in ["transparency.sqlite", "transparency.sqlite-wal", "transparency.sqlite-shm"] {
            let file = folder.appendingPathComponent(name)
            guard FileManager.default.fileExists(atPath: file.path) else { continue }
            try FileManager.default.removeItem(at: file)
            removed += 1
        }
        print(
            removed == 0
                ? "\(data) keeps no transparency log yet: the relay starts one at its next start"
                : "Removed the old log: at its next start the relay rebuilds it under a new key. Tell the team to run `mledger sync --forget-relay-log` once."
        )
    }
}
