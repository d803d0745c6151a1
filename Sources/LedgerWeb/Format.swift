import Foundation
import LedgerModel

/// How values read on a page: UTC times, compact numbers, sizes, short ids.
public enum Format {
    /// `2026-11-24 21:38:06 UTC`.
    public static func time(_ ms: Int64) -> String {
        var t = time_t(ms / 1000)
        var parts = tm()
        guard gmtime_r(&t, &parts) != nil else { return "?" }
        return String(
            format: "%04ld-%02d-%02d %02d:%02d:%02d UTC", Int(parts.tm_year) + 1900, parts.tm_mon + 1, parts.tm_mday,
            parts.tm_hour, parts.tm_min, parts.tm_sec)
    }

    /// Times come from other people's events, so the difference is taken without overflowing.
    public static func duration(from start: Int64, to end: Int64) -> String {
        let (ms, overflow) = end.subtractingReportingOverflow(start)
        guard !overflow, ms >= 0 else { return "?" }
        let s = ms / 1000
        if s < 60 { return "\(s)s" }
        if s < 3600 { return "\(s / 60)m \(s % 60)s" }
        return "\(s / 3600)h \(s % 3600 / 60)m"
    }

    public static func number(_ v: Double?) -> String {
        guard let v else { return "" }
        return v == v.rounded() && abs(v) < 1e15 ? String(Int64(v)) : String(format: "%.6g", v)
    }

    public static func bytes(_ n: UInt64) -> String {
        let units = ["B", "KiB", "MiB", "GiB", "TiB"]
        var v = Double(n)
        var i = 0
        while v >= 1024 && i < units.count - 1 {
            v /= 1024
            i += 1
        }
        return i == 0 ? "\(n) B" : String(format: "%.1f %@", v, units[i])
    }

    public static func short(_ hex: String) -> String { String(hex.prefix(8)) }

    /// A table cell's text for a column of the runs table.
    public static func cell(_ value: RunTable.Value?) -> String {
        switch value {
        case .number(let v): number(v)
        case .text(let t): t
        case nil: ""
        }
    }
}
