import Foundation
import LedgerProtocol
import LedgerStore

/// What a command works with: the workspace found from the current folder, its ledger, and (for
/// commands that write) this device's signing key.
struct Session {
    let workspace: Workspace
    let ledger: Ledger

    static func open() throws -> Session {
        let cwd = URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
        let ws = try Workspace.discover(from: cwd)
        return Session(workspace: ws, ledger: try ws.openLedger())
    }

    func signer() throws -> SigningKey { try Self.loadSigner() }

    static func loadSigner() throws -> SigningKey {
        try IdentityStore.standard().load(passphrase: Passphrase.read)
    }

    func team() throws -> LedgerID {
        guard let team = try ledger.team() else { throw StoreError.noTeam }
        return team
    }

    /// Removes a member, or revokes a device, keeping each chain it cuts up to the last event this ledger holds.
    func remove(_ key: PublicKey, reason: String) throws {
        try append(MemberRemove(member: key, reason: reason, chainEnds: try ledger.chainEnds(removing: key)))
    }

    /// Signs and appends one event of this device.
    @discardableResult
    func append(_ body: some BodyFields, heads: [LedgerID] = []) throws -> SignedEvent {
        try ledger.append(try Ledger.Draft(body, heads: heads), signer: try signer())
    }
}

/// The passphrase of a sealed identity: from MLEDGER_PASSPHRASE, or asked on the terminal.
enum Passphrase {
    static func read() -> String? {
        if let p = ProcessInfo.processInfo.environment["MLEDGER_PASSPHRASE"] { return p }
        guard isatty(STDIN_FILENO) != 0, let p = getpass("Passphrase for the identity key: ") else { return nil }
        return String(cString: p)
    }
}
