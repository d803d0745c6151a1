import LedgerProtocol

/// Who may sign what. The relay checks it when events arrive; every client checks it again at each
/// event's own place in the merge order (`TeamAuthority`), so a relay that let a forbidden event through
/// changes nothing.
public enum Permissions {
    /// The least role an author needs for an event, given the role protecting each alias and each
    /// environment (if any). A genesis needs no role: it founds the team.
    public static func requiredRole(
        for body: EventBody, protection: (String) throws -> Role?, environment: (String) throws -> Role?
    ) rethrows -> Role? {
        switch body {
        case .teamGenesis: nil
        case .promote(let b): max(.writer, try protection(b.alias) ?? .writer)
        case .demote(let b): max(.writer, try protection(b.alias) ?? .writer)
        case .deploymentRecord(let b): max(.writer, try environment(b.environment) ?? .writer)
        case .deploymentRollback(let b): max(.writer, try environment(b.environment) ?? .writer)
        // A rule that starts a command runs it on a watcher's machine: only maintainers may write one.
        case .monitorRule(let b) where b.definition?.command != nil: .maintainer
        default: leastRole(for: body.kind)
        }
    }

    /// The least role for an event of a kind, before any alias protection (which views check per alias).
    public static func leastRole(for kind: EventKind) -> Role {
        switch kind {
        case .memberAdd, .memberRemove, .aliasProtect, .environmentProtect, .relayAnnounce: .admin
        case .identityProfile, .deviceLink, .teamGenesis, .relayCosign: .reader
        default: .writer
        }
    }
}
