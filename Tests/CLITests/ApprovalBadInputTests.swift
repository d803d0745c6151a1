import Foundation
import LedgerTestSupport
import Testing

/// Bad input to the approval commands gets a one-line error that says what to do, and writes nothing.
extension BadInputTests {
    @Test func badApprovalInputIsRejectedWithoutWriting() throws {
        let cli = try CLI()
        let run = try cli.initWithRun()
        try cli.ok("model", "create", "digits")
        try cli.ok("model", "version", "create", "digits", "--run", run)
        try cli.ok("model", "version", "create", "digits", "--run", run)
        try cli.ok("model", "archive", "digits", "2", "--reason", "leaks test data")
        try cli.ok("team", "protect", "production", "--approvals", "1")
        let request = try cli.ok("model", "request", "digits", "1", "--to", "production", "--reason", "ship it")
        let id = try #require(request.split(separator: " ").dropFirst().first.map { String($0.dropLast()) })
        let count = try cli.eventCount()

        expectFailure(try cli.run("team", "protect", "production", "--approvals", "0"), mentions: "--approvals must be 1 to 32")
        expectFailure(try cli.run("team", "protect", "production", "--approvals", "33"), mentions: "--approvals must be 1 to 32")
        expectFailure(try cli.run("team", "protect", "production", "--not-requester"), mentions: "needs --approvals")
        expectFailure(try cli.run("model", "promote", "digits", "1", "--to", "production", "--reason", "now"), mentions: "mledger model request")
        expectFailure(try cli.run("model", "request", "digits", "1", "--to", "production", "--reason", "  "), mentions: "must not be blank")
        expectFailure(try cli.run("model", "request", "digits", "2", "--to", "production", "--reason", "x"), mentions: "archived")
        expectFailure(try cli.run("model", "request", "digits", "7", "--to", "production", "--reason", "x"), mentions: "no version")
        expectFailure(try cli.run("model", "approve", "abcd1234", "--reason", "x"), mentions: "no promotion request 'abcd1234'")
        expectFailure(try cli.run("model", "approve", id, "--reason", " "), mentions: "must not be blank")
        #expect(try cli.eventCount() == count)

        try cli.ok("model", "approve", id, "--reason", "looks right")
        expectFailure(try cli.run("model", "reject", id, "--reason", "second thoughts"), mentions: "approved already")
        #expect(try cli.eventCount() == count + 1)
        #expect(try cli.ok("verify").contains("OK:"))
    }
}
