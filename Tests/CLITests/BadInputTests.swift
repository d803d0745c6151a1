import Foundation
import LedgerTestSupport
import Testing

/// Bad input gets a one-line error that says what to do, and writes nothing.
@Suite struct BadInputTests {
    func expectFailure(_ r: CLI.Result, mentions text: String, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(!r.ok, sourceLocation: sourceLocation)
        #expect(r.stderr.contains(text), "stderr was: \(r.stderr)", sourceLocation: sourceLocation)
        let lines = r.stderr.split(separator: "\n").filter { !$0.hasPrefix("Usage") && !$0.hasPrefix("  See") && !$0.isEmpty }
        #expect(lines.count == 1, "expected one line, got: \(r.stderr)", sourceLocation: sourceLocation)
    }

    @Test func missingWorkspaceSaysToInit() throws {
        let cli = try CLI()
        expectFailure(try cli.run("run", "list"), mentions: "mledger init")
    }

    @Test func eachBadInputIsRejectedWithoutWriting() throws {
        let cli = try CLI()
        let run = try cli.initWithRun()
        try cli.ok("model", "create", "digits")
        try cli.ok("model", "version", "create", "digits", "--run", run)
        let count = try cli.eventCount()

        expectFailure(try cli.run("run", "log-param", "abcd1234", "lr=1"), mentions: "no run 'abcd1234'")
        expectFailure(try cli.run("run", "log-metric", run, "loss", "abc"), mentions: "not a number")
        expectFailure(try cli.run("model", "promote", "digits", "1", "--to", "production", "--reason", ""), mentions: "reason")
        expectFailure(try cli.run("model", "promote", "digits", "1", "--to", "production", "--reason", "   "), mentions: "must not be blank")
        expectFailure(try cli.run("model", "promote", "digits", "7", "--to", "production", "--reason", "x"), mentions: "no version")
        expectFailure(try cli.run("run", "log-param", run, "novalue"), mentions: "KEY=VALUE")

        let bad = cli.root.appendingPathComponent("bad.jsonl")
        try "{\"key\":\"loss\",\"value\":1}\n{\"key\":\"loss\",\"value\":\n{\"key\":\"loss\",\"value\":3}\n".write(
            to: bad, atomically: true, encoding: .utf8)
        expectFailure(try cli.run("run", "log-batch", run, "--file", bad.path), mentions: "line 2")
        let wrongType = cli.root.appendingPathComponent("wrong.jsonl")
        try "{\"key\":\"loss\",\"value\":\"high\"}\n".write(to: wrongType, atomically: true, encoding: .utf8)
        expectFailure(try cli.run("run", "log-batch", run, "--file", wrongType.path), mentions: "not a number")

        #expect(try cli.eventCount() == count)
        #expect(try cli.ok("verify").contains("OK:"))
    }

    @Test func initTwiceIsRefused() throws {
        let cli = try CLI()
        _ = try cli.initWithRun()
        expectFailure(try cli.run("init"), mentions: "already exists")
    }
}
