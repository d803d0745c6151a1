import Foundation
import Testing

@testable import LedgerStore

/// A private file is 0600 from the moment it exists, so there is no window in which another user could
/// open it (issue 22, finding 9).
@Suite struct PrivateFileTests {
    func mode(_ path: String) throws -> Int {
        try #require(try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int)
    }

    @Test func createdOwnerOnlyAndRenamedIntoPlace() throws {
        let previous = umask(0o022)
        defer { umask(previous) }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("private-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        try PrivateFile.createDirectory(folder)
        #expect(try mode(folder.path) == 0o700)
        let target = folder.appendingPathComponent("serve.json")

        // Right after creation, before a byte is written, the temporary file is already 0600.
        let (fd, temp) = try PrivateFile.createTemporary(beside: target)
        #expect(try mode(temp.path) == 0o600)
        close(fd)
        // It is new: creating the same name again fails instead of reusing a file someone else may hold open.
        #expect(open(temp.path, O_WRONLY | O_CREAT | O_EXCL, 0o600) == -1)
        unlink(temp.path)

        // A file already there with a looser mode is replaced by an owner-only one.
        FileManager.default.createFile(atPath: target.path, contents: Data("old".utf8), attributes: [.posixPermissions: 0o644])
        try PrivateFile.write(Data("secret".utf8), to: target)
        #expect(try mode(target.path) == 0o600)
        #expect(try String(contentsOf: target, encoding: .utf8) == "secret")
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path) == ["serve.json"])
    }
}
