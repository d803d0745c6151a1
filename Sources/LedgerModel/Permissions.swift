import LedgerProtocol

/// Who may sign what. The relay checks it when events arrive; clients check it again for alias moves
/// when they compute the registry, so a relay that let a forbidden promotion through changes nothing.
public enum Permissions {
    /// The least role an author needs for an event, given the role protecting each alias (if any).
    /// A genesis needs no role: it founds the team.
    public static func requiredRole(for body: EventBody, protection: (String) throws -> Role?) rethrows -> Role? {
        switch body {
        case .teamGenesis: nil
        case .memberAdd, .memberRemove, .aliasProtect: .admin
        case .identityProfile, .deviceLink: .reader
        case .promote(let b): max(.writer, try protection(b.alias) ?? .writer)
        case .demote(let b): max(.writer, try protection(b.alias) ?? .writer)
        default: .writer
        }
    }
}
