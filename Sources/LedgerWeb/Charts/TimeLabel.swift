import Foundation

/// Calendar steps for time axes longer than a few weeks: ticks on the first of a month, every 1, 2, 3
/// or 6 months, or every 1, 2, 5, 10... years. UTC throughout, like every time on the dashboard.
enum CalendarMonths {
    /// What a month counts as when labels compare steps.
    static let monthMs = 30.0 * 86_400_000

    /// Nil for times outside what `timegm` and `gmtime_r` handle (years far from today's).
    static func ticks(_ lo: Double, _ hi: Double, target: Int) -> (ticks: [Double], every: Int)? {
        let limit = 1e16  // about 300,000 years
        guard abs(lo) < limit, abs(hi) < limit, let start = month(of: lo), let end = month(of: hi) else { return nil }
        let count = end - start + 1
        var steps = [1, 2, 3, 6]
        var years = 1
        while years <= 100_000 {
            steps += [12 * years, 24 * years, 60 * years]
            years *= 10
        }
        guard let every = steps.first(where: { count / $0 <= target }) else { return nil }
        let first = Int((Double(start) / Double(every)).rounded(.down)) * every
        let last = Int((Double(end + 1) / Double(every)).rounded(.up)) * every
        let ticks = stride(from: first, through: last, by: every).compactMap(milliseconds)
        return ticks.isEmpty ? nil : (ticks, every)
    }

    /// Months since year 0 of the UTC date of `ms`.
    static func month(of ms: Double) -> Int? {
        guard let parts = utc(ms) else { return nil }
        return (Int(parts.tm_year) + 1900) * 12 + Int(parts.tm_mon)
    }

    /// The first millisecond of a month counted as in `month(of:)`.
    static func milliseconds(_ month: Int) -> Double? {
        var parts = tm()
        parts.tm_year = Int32(truncatingIfNeeded: month / 12 - 1900)
        parts.tm_mon = Int32(truncatingIfNeeded: month % 12)
        parts.tm_mday = 1
        let seconds = timegm(&parts)
        // -1 is an error: no month starts a second before 1970.
        return seconds == -1 ? nil : Double(seconds) * 1000
    }

    static func utc(_ ms: Double) -> tm? {
        var t = time_t((ms / 1000).rounded(.down))
        var parts = tm()
        return gmtime_r(&t, &parts) == nil ? nil : parts
    }
}

/// Tick labels of a time axis: as precise as the step between ticks, e.g. `14:30:05`, `14:30`, `Nov 24`,
/// `Nov 2026`, `2026`.
enum TimeLabel {
    static let monthNames = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    static func format(_ ms: Double, step: Double) -> String {
        guard let t = CalendarMonths.utc(ms) else { return Axis.compact(ms, step: step) }
        let month = monthNames[Int(t.tm_mon) % 12]
        let year = Int(t.tm_year) + 1900
        switch step {
        case ..<1_000:
            let millis = Int(ms.truncatingRemainder(dividingBy: 1000) + 1000) % 1000
            return String(format: "%02d:%02d:%02d.%03d", t.tm_hour, t.tm_min, t.tm_sec, millis)
        case ..<60_000: return String(format: "%02d:%02d:%02d", t.tm_hour, t.tm_min, t.tm_sec)
        case ..<86_400_000:
            // Midnight ticks carry the date, so a run over several days reads without a legend.
            return t.tm_hour == 0 && t.tm_min == 0 ? "\(month) \(t.tm_mday)" : String(format: "%02d:%02d", t.tm_hour, t.tm_min)
        case ..<CalendarMonths.monthMs: return "\(month) \(t.tm_mday)"
        case ..<(12 * CalendarMonths.monthMs): return "\(month) \(year)"
        default: return String(year)
        }
    }
}
