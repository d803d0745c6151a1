import Foundation
import LedgerTestSupport
import Testing

/// What holds secrets is never readable by other users of the machine, whatever the umask (issue 22,
/// finding 9): `.mledger/` is 0700 and `serve.json`, which holds the MLflow endpoint's token, is 0600.
@Suite struct PrivateFilesTests {
    func mode(_ url: URL) throws -> Int {
        try #require(try FileManager.default.attributesOfItem(atPath: url.path)[.posixPermissions] as? Int)
    }

    @Test func workspaceFolderAndServeFileAreOwnerOnly() throws {
        let previous = umask(0o022)
        defer { umask(previous) }
        let cli = try CLI()
        try cli.ok("init", "--team", "vision", "--name", "Ada")
        let folder = cli.workspace.appendingPathComponent(".mledger")
        #expect(try mode(folder) == 0o700)
        let serve = try cli.startServe()
        defer {
            serve.process.terminate()
            serve.process.waitUntilExit()
        }
        let file = folder.appendingPathComponent("serve.json")
        #expect(try mode(file) == 0o600)
        #expect(try String(contentsOf: file, encoding: .utf8).contains(serve.token))
    }
}
