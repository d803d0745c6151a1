import Foundation

/// A program started as the leader of a process group of its own, so that it and every process it
/// starts (servers that fork workers, such as `mlflow server` with uvicorn, its job runner and huey
/// consumers) can be ended together: ending only the leader orphans its workers, which then run on.
public final class ProcessGroup: @unchecked Sendable {
    public let process: Process
    /// The group's id (the leader's pid), or nil when the leader could not be put in a group of its own.
    public let id: pid_t?
    /// Set once the group has been ended, so its id (which the kernel may reuse) is not signalled again.
    private var ended = false

    /// Starts `process`. Foundation's `Process` makes each child the leader of a new process group
    /// (its pid is the group's id); when that is not so here, `id` is nil and only the leader is signalled.
    public init(starting process: Process) throws {
        try process.run()
        self.process = process
        let pid = process.processIdentifier
        id = getpgid(pid) == pid && pid != getpgrp() ? pid : nil
    }

    /// Python code that clears the signal mask and runs `sys.argv[1:]`: a child of the test runner
    /// inherits its threads' blocked signals, so without this SIGTERM never reaches `mlflow server`.
    public static let unblockSignalsAndExec =
        "import os, signal, sys; signal.pthread_sigmask(signal.SIG_SETMASK, []); os.execv(sys.argv[1], sys.argv[1:])"

    /// Whether any process of the group is still alive (zombies of the leader aside).
    public var anyAlive: Bool {
        guard let id else { return process.isRunning }
        return kill(-id, 0) == 0 && (process.isRunning || Self.members(of: id) > 0)
    }

    /// How many live processes other than zombies are in group `id` (from /proc).
    public static func members(of id: pid_t) -> Int {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.filter { name in
            guard Int32(name) != nil, let stat = try? String(contentsOfFile: "/proc/\(name)/stat", encoding: .utf8),
                let close = stat.lastIndex(of: ")")
            else { return false }
            // Fields after the command: state, ppid, pgrp, ...
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            return fields.count > 2 && fields[0] != "Z" && Int32(fields[2]) == id
        }.count
    }

    /// SIGTERM to the whole group, then SIGKILL to whatever is left after `seconds`; waits for the leader.
    public func end(seconds: Double = 10) {
        guard !ended else { return }
        ended = true
        signal(SIGTERM)
        let deadline = Date().addingTimeInterval(seconds)
        while anyAlive && Date() < deadline { Thread.sleep(forTimeInterval: 0.1) }
        if anyAlive { signal(SIGKILL) }
        process.waitUntilExit()
        // Workers that outlived a killed leader are no longer its children: wait for them too.
        let gone = Date().addingTimeInterval(5)
        while anyAlive && Date() < gone { Thread.sleep(forTimeInterval: 0.05) }
    }

    private func signal(_ sig: Int32) {
        if let id { kill(-id, sig) } else if process.isRunning { kill(process.processIdentifier, sig) }
    }

    deinit { end() }
}
