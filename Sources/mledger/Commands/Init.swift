import ArgumentParser
import Foundation
import LedgerProtocol
import LedgerStore

struct Init: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Create a workspace (.mledger/) and a new team ledger here.",
        usage: "mledger init --team vision --name 'Ada Lovelace'",
        discussion: """
            Creates .mledger/ in the folder (the database and the blob store), creates this device's \
            identity if it has none yet, and signs the team's genesis event: you are its first admin.
            """
    )

    @Option(help: "The team's name.")
    var team: String?

    @Option(help: "Your display name, if a new identity is created (default: git's user.name, or $USER).")
    var name: String?

    @Option(help: "Your email, if a new identity is created.")
    var email: String?

    @Flag(help: "Seal a new identity key under a passphrase (from MLEDGER_PASSPHRASE or asked).")
    var encrypt = false

    @Option(help: "Join the team served by this relay instead of founding a new one.")
    var join: String?

    @Argument(help: "The folder to create the workspace in.")
    var path: String = "."

    mutating func run() async throws {
        let root = URL(fileURLWithPath: path)
        let identity = try IdentityCommand.ensureIdentity(name: name, email: email, encrypt: encrypt)
        let ws = try Workspace.create(at: root)
        let ledger = try ws.openLedger()
        if let join {
            try ledger.addRemote(name: "origin", url: join)
            let session = Session(workspace: ws, ledger: ledger)
            do {
                let summary = try await Sync.sync(session, remote: "origin", quiet: false)
                guard let team = try ledger.team() else { throw StoreError.noTeam }
                print("Joined team \(team.short) through \(join): \(summary.pulled) events pulled")
            } catch {
                print("Created workspace \(ws.directory.path), but could not pull from \(join): \(error)")
                print("Ask an admin to run `mledger team add \(identity.key.hex) --role writer`, then run `mledger sync` here.")
                throw ExitCode(1)
            }
            return
        }
        let file = try IdentityStore.standard().read()
        let key = try Session.loadSigner()
        let teamName = team ?? ws.root.lastPathComponent
        let events = try ledger.append(
            [
                try .init(TeamGenesis(name: teamName)),
                try .init(IdentityProfile(name: file.name, email: file.email)),
            ], signer: key)
        print("Created workspace \(ws.directory.path)")
        if identity.created { print("Created identity \(key.publicKey.fingerprint) for \(file.name) in \(IdentityStore.standard().fileURL.path)") }
        print("Team '\(teamName)' \(events[0].id.hex), you are its admin")
        print("Serve it with: mledger-relay serve --team \(events[0].id.hex)")
    }
}
