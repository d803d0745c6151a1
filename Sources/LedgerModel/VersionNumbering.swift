import LedgerProtocol

/// Display numbers of a model's versions. Ids are immutable hashes; numbers follow the team-wide merge
/// order, so two versions created offline as "v3" become v3 and v4 for everyone, and the one whose
/// number changed is marked renumbered.
public enum VersionNumbering {
    public struct Entry: Sendable, Equatable {
        public var id: LedgerID
        public var order: OrderKey
        public var claimedNumber: UInt64
        public init(id: LedgerID, order: OrderKey, claimedNumber: UInt64) {
            self.id = id
            self.order = order
            self.claimedNumber = claimedNumber
        }
    }

    public struct Assigned: Sendable, Equatable {
        public var number: UInt64
        public var renumbered: Bool
        public init(number: UInt64, renumbered: Bool) {
            self.number = number
            self.renumbered = renumbered
        }
    }

    public static func assign(_ entries: [Entry]) -> [LedgerID: Assigned] {
        let sorted = entries.sorted { $0.order != $1.order ? $0.order < $1.order : $0.id < $1.id }
        var out = [LedgerID: Assigned]()
        for (i, e) in sorted.enumerated() {
            let n = UInt64(i + 1)
            out[e.id] = Assigned(number: n, renumbered: n != e.claimedNumber)
        }
        return out
    }
}
