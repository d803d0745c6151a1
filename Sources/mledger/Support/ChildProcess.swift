import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A command run as a child process: its output goes straight to ours, SIGINT and SIGTERM sent to us
/// are passed on to it (once: it runs in its own process group, so a terminal's Ctrl-C reaches only
/// us), and its resource use is sampled while it runs and read from the kernel when it ends.
enum ChildProcess {
    struct Outcome: Sendable {
        /// The exit status, or nil when a signal ended the child.
        var exitCode: Int32?
        var signal: Int32?
        var wallSeconds: Double
        var cpuSeconds: Double
        var peakMemoryMB: Double
        /// (seconds since start, resident memory in MB), about once a second.
        var memorySamples: [(Double, Double)]

        /// The status to exit with: the child's, or 128 + the signal as shells report it.
        var shellStatus: Int32 { exitCode ?? (128 + (signal ?? 0)) }
    }

    struct SpawnError: Error, CustomStringConvertible {
        var command: String
        var code: Int32
        var description: String { "cannot run \(command): \(String(cString: strerror(code))) (is it installed and on PATH?)" }
    }

    static func run(_ command: [String], environment: [String: String]) throws -> Outcome {
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        posix_spawnattr_setpgroup(&attributes, 0)
        // Worker threads block signals, and a child inherits its spawner's mask: give it an empty one.
        var none = sigset_t()
        sigemptyset(&none)
        posix_spawnattr_setsigmask(&attributes, &none)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK))
        // This thread waits for the child, so it takes the signals to pass on.
        var forwarded = sigset_t()
        sigemptyset(&forwarded)
        sigaddset(&forwarded, SIGINT)
        sigaddset(&forwarded, SIGTERM)
        pthread_sigmask(SIG_UNBLOCK, &forwarded, nil)

        // Caught signals are reset to their defaults in the child by exec, so it gets them as usual.
        signal(SIGINT, forwardSignal)
        signal(SIGTERM, forwardSignal)
        let argv = command.map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { for pointer in argv + envp { free(pointer) } }
        var pid = pid_t()
        let started = Date()
        let code = posix_spawnp(&pid, command[0], nil, &attributes, argv, envp)
        guard code == 0 else { throw SpawnError(command: command[0], code: code) }
        let child = pid
        forwardTarget = child
        defer { forwardTarget = 0 }
        let sampler = MemorySampler(pid: child, started: started)

        var status: Int32 = 0
        var usage = rusage()
        while wait4(child, &status, 0, &usage) < 0 && errno == EINTR {}
        let samples = sampler.stop()
        let exited = status & 0x7f == 0
        let cpu =
            Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6
            + Double(usage.ru_stime.tv_sec) + Double(usage.ru_stime.tv_usec) / 1e6
        return Outcome(
            exitCode: exited ? (status >> 8) & 0xff : nil, signal: exited ? nil : status & 0x7f,
            wallSeconds: Date().timeIntervalSince(started), cpuSeconds: cpu,
            peakMemoryMB: Double(usage.ru_maxrss) / 1024, memorySamples: samples)
    }
}

/// The child that SIGINT and SIGTERM are passed on to (0: none). Written before and after the child
/// runs, read by the signal handler, which may only do async-signal-safe work such as kill(2).
nonisolated(unsafe) private var forwardTarget: pid_t = 0

private func forwardSignal(_ sig: Int32) {
    let target = forwardTarget
    if target > 0 { kill(target, sig) }
}

/// Reads the child's resident memory from /proc about once a second, on a thread of its own.
final class MemorySampler: @unchecked Sendable {
    private let lock = NSLock()
    private var samples = [(Double, Double)]()
    private var running = true

    init(pid: pid_t, started: Date) {
        Thread { [self] in
            while lock.withLock({ running }) {
                if let mb = Self.residentMB(pid) { lock.withLock { samples.append((Date().timeIntervalSince(started), mb)) } }
                Thread.sleep(forTimeInterval: 1)
            }
        }.start()
    }

    func stop() -> [(Double, Double)] {
        lock.withLock {
            running = false
            return samples
        }
    }

    static func residentMB(_ pid: pid_t) -> Double? {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
            let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }),
            let kb = Double(line.split(separator: " ").dropFirst().first ?? "")
        else { return nil }
        return kb / 1024
    }
}
