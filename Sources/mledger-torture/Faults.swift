import Foundation
import LedgerProcesses

/// Killing processes at chosen moments.
enum Faults {
    /// Starts `arguments` in the client's workspace, output discarded, and kills it with `signal` after
    /// `delayMs`. True when the signal landed while the process was still running.
    static func interrupt(_ cli: CLIProcess, _ arguments: [String], afterMs delayMs: Int, signal: Int32 = SIGKILL) throws -> Bool {
        let p = cli.process(arguments)
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        p.standardInput = FileHandle.nullDevice
        try p.run()
        return kill(p, afterMs: delayMs, signal: signal)
    }

    /// Kills a started process after `delayMs`; true when it was still running then.
    static func kill(_ p: Process, afterMs delayMs: Int, signal: Int32 = SIGKILL) -> Bool {
        let deadline = Date().addingTimeInterval(Double(delayMs) / 1000)
        while p.isRunning, Date() < deadline { usleep(1000) }
        guard p.isRunning else { return false }
        Foundation.kill(p.processIdentifier, signal)
        p.waitUntilExit()
        return p.terminationReason == .uncaughtSignal
    }
}
