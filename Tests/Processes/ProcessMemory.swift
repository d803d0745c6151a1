import Foundation

/// Memory figures of a running process, read from /proc/PID/status.
public enum ProcessMemory {
    /// Peak resident memory so far, in bytes.
    public static func peak(_ pid: Int32) -> Int? { field("VmHWM", pid) }

    /// Resident memory now, in bytes.
    public static func resident(_ pid: Int32) -> Int? { field("VmRSS", pid) }

    /// A size line of the status file (`VmRSS:   46020 kB`), in bytes.
    static func field(_ name: String, _ pid: Int32) -> Int? {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
            let line = status.split(separator: "\n").first(where: { $0.hasPrefix(name + ":") }),
            let kb = Int(line.split(separator: " ").dropFirst().first ?? "")
        else { return nil }
        return kb * 1024
    }
}
