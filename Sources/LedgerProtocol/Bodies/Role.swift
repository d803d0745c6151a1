/// A member's role in the team, from least to most power.
public enum Role: String, CaseIterable, Comparable, Sendable, Codable {
    case reader, writer, maintainer, admin

    private var rank: Int { Self.allCases.firstIndex(of: self) ?? 0 }
    public static func < (a: Role, b: Role) -> Bool { a.rank < b.rank }
}

/// How a run ended.
public enum RunStatus: String, CaseIterable, Sendable, Codable {
    case running, finished, failed, killed
}
