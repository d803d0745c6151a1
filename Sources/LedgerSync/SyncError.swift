import Foundation

/// Why talking to a relay failed, with what to do about it.
public enum SyncError: Error, Sendable, CustomStringConvertible, Equatable {
    case unreachable(url: String, reason: String)
    /// The relay answered with an error status and its JSON message.
    case refused(status: Int, code: String, message: String)
    case badResponse(String)
    case teamMismatch(local: String, relay: String)
    case noRemote(String)
    /// A transparency log check failed (SPEC 6.17): the relay dropped, reordered or rewrote what it
    /// served, or showed another history; the evidence is stored in the workspace.
    case relayMisbehaved(code: String, message: String)

    public var description: String {
        switch self {
        case .unreachable(let url, let reason): "cannot reach the relay at \(url) (\(reason)): is it running? (`mledger-relay serve`)"
        case .refused(let status, _, let message): "relay refused the request (\(status)): \(message)"
        case .badResponse(let why): "unexpected answer from the relay: \(why)"
        case .teamMismatch(let local, let relay):
            "this workspace belongs to team \(local.prefix(12)) but the relay serves team \(relay.prefix(12)): check the remote's URL"
        case .relayMisbehaved(let code, let message):
            "relay check failed (\(code)): \(message). Nothing more was pulled from it; both checkpoints and the proof are stored in the workspace: `mledger audit --relay` shows them, to show your team"
        case .noRemote(let name):
            name.isEmpty
                ? "no remote configured: add one with `mledger remote add origin http://HOST:PORT`"
                : "no remote named '\(name)': see `mledger remote list`"
        }
    }
}
