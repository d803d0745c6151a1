import Foundation
import LedgerProtocol

/// A folder holding a `.mledger/` directory (as a git work tree holds `.git/`): the ledger database,
/// the blob store and the workspace settings.
public struct Workspace: Sendable {
    public static let folderName = ".mledger"

    /// The folder that contains `.mledger/`.
    public let root: URL
    public var directory: URL { root.appendingPathComponent(Self.folderName) }
    public var databasePath: String { directory.appendingPathComponent("ledger.sqlite").path }
    public var blobs: BlobStore { BlobStore(directory: directory.appendingPathComponent("blobs")) }

    public init(root: URL) { self.root = root.standardizedFileURL }

    /// Finds the workspace by walking up from `start`, as git does.
    public static func discover(from start: URL) throws(StoreError) -> Workspace {
        var dir = start.standardizedFileURL
        while true {
            var isDir: ObjCBool = false
            if FileManager.default.fileExists(atPath: dir.appendingPathComponent(folderName).path, isDirectory: &isDir), isDir.boolValue {
                return Workspace(root: dir)
            }
            let parent = dir.deletingLastPathComponent()
            if parent.path == dir.path { throw .noWorkspace(searchedFrom: start.path) }
            dir = parent
        }
    }

    /// Creates `.mledger/` in `root`, readable only by this user (it holds `serve.json` with the MLflow
    /// endpoint's token, and the team's ledger); fails if one is already there.
    public static func create(at root: URL) throws(StoreError) -> Workspace {
        let ws = Workspace(root: root)
        if FileManager.default.fileExists(atPath: ws.directory.path) { throw .workspaceExists(ws.root.path) }
        do {
            try FileManager.default.createDirectory(at: ws.root, withIntermediateDirectories: true)
            try PrivateFile.createDirectory(ws.directory)
            try FileManager.default.createDirectory(at: ws.directory.appendingPathComponent("blobs"), withIntermediateDirectories: true)
        } catch let error as StoreError {
            throw error
        } catch {
            throw .database("cannot create \(ws.directory.path): \(error.localizedDescription)")
        }
        return ws
    }

    public func openLedger() throws(StoreError) -> Ledger { try Ledger(path: databasePath) }
}
