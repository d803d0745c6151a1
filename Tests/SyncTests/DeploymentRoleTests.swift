import Foundation
import LedgerTestSupport
import Testing

/// Protected environments follow the rules of protected aliases (SPEC 6.16): a writer's deployment to one
/// is refused before it is signed; rules that start commands need a maintainer.
@Suite struct DeploymentRoleTests {
    @Test func writersCannotDeployToAProtectedEnvironmentNorWriteCommandRules() throws {
        let fixture = try TeamFixture()
        let bob = try fixture.writerBesideProtected("deploy", "protect", "production", "--role", "maintainer")
        let before = try bob.eventCount()
        let refused = try bob.run("deploy", "record", "digits", "1", "--env", "production", "--reason", "mine")
        #expect(!refused.ok)
        #expect(refused.stderr.contains("needs maintainer"))
        let command = try bob.run(
            "monitor", "rule", "add", "digits", "--env", "staging", "--metric", "accuracy", "--below", "0.5", "--then", "run", "rm -rf /tmp/x")
        #expect(!command.ok)
        #expect(command.stderr.contains("needs maintainer"))
        #expect(try bob.eventCount() == before)

        try bob.ok("deploy", "record", "digits", "1", "--env", "staging", "--reason", "unprotected is fine")
        try bob.ok("monitor", "rule", "add", "digits", "--env", "staging", "--metric", "accuracy", "--below", "0.5")
        try bob.ok("sync")
        try fixture.admin.ok("sync")
        let status = try #require(try fixture.admin.json("deploy", "status") as? [[String: Any]])
        #expect(status.compactMap { ($0["deployment"] as? [String: Any])?["environment"] as? String } == ["staging"])
        #expect((try fixture.admin.json("monitor", "rule", "list") as? [Any])?.count == 1)
        try fixture.admin.ok("deploy", "record", "digits", "1", "--env", "production", "--reason", "maintainers and admins may")
    }

    /// A watcher starts only the commands of rules its own identity signed, unless told to trust the team's.
    @Test func aWatcherRunsOnlyItsOwnRulesCommandsByDefault() throws {
        let fixture = try TeamFixture()
        try fixture.admin.ok("model", "create", "digits")
        let run = try fixture.admin.initRunInExistingWorkspace()
        try fixture.admin.ok("model", "version", "create", "digits", "--run", run)
        try fixture.admin.ok("deploy", "record", "digits", "1", "--env", "staging", "--reason", "try it")
        let marker = fixture.admin.root.appendingPathComponent("ran")
        try fixture.admin.ok(
            "monitor", "rule", "add", "digits", "--env", "staging", "--metric", "accuracy", "--below", "0.5", "--then", "run",
            "touch '\(marker.path)'")
        try fixture.admin.ok("monitor", "log", "--env", "staging", "accuracy=0.1")
        try fixture.admin.ok("sync")
        let bob = try fixture.join("Bob", role: "writer")
        let fired = try bob.ok("monitor", "watch", "--once", "--json")
        let alert = try #require(try JSONSerialization.jsonObject(with: Data(fired.utf8)) as? [String: Any])
        #expect(alert["exitCode"] == nil)
        #expect(!FileManager.default.fileExists(atPath: marker.path))
        #expect((try bob.json("monitor", "alerts") as? [Any])?.count == 1)
    }
}
