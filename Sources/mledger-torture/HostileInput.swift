import Foundation
import LedgerProcesses
import LedgerProtocol
import LedgerStore
import LedgerSync

/// Hostile input: a seeded stream of mutated events and requests against a live relay. Every answer
/// must be the precise error owed (status and code), valid odd data must be stored once and shown
/// unchanged, the relay must keep serving, and afterwards it must hold exactly the valid events and
/// pass verify. The same mutated bytes then go through the decoders in-process.
struct HostileInput: Scenario {
    let name = "hostile"
    static let maxBody = 2_000_000

    /// The team the inputs are aimed at: an admin (alice) who protected the `production` alias and environment, a writer (bob) with
    /// a laptop he revoked, a removed member (carol), a second relay of the team, and a forge on their real chains.
    struct Setup {
        let team: Team
        let secondRelay: RelayProcess
        let bob: CLIProcess
        let setupRun: String
        let removedKey: SigningKey
        var forge: Forge
    }

    func run(_ context: ScenarioContext, _ tally: Tally) async throws {
        var rng = context.rng(300)
        var setup = try await prepare(context)
        tally.add(clients: 3)
        let before = try LedgerFacts.read(setup.team.relay.database)

        let transport = SocketTransport(host: "127.0.0.1", port: setup.team.relay.port)
        var stored = [SignedEvent]()
        var texts = [(label: String, text: String)]()
        var sent = 0
        var corpus = [[UInt8]]()
        while sent < context.scale.hostileInputs {
            let cases: [HostileCase]
            if Int.random(in: 0..<3, using: &rng) == 0 {
                cases = (HostileRequests.all.randomElement(using: &rng)?.1 ?? HostileRequests.forgedRequest)(setup.forge, setup.removedKey, &rng)
            } else {
                cases = [(HostileEvents.all.randomElement(using: &rng)?.1 ?? HostileEvents.bitFlip)(setup.forge, &rng, stored)]
            }
            for hostile in cases {
                sent += 1
                corpus.append(hostile.request.body)
                let answer: HTTPResponse
                let destination = hostile.port.map { SocketTransport(host: "127.0.0.1", port: $0) } ?? transport
                do { answer = try await destination.send(hostile.request) } catch {
                    tally.fail("\(hostile.label): no answer (\(error))")
                    continue
                }
                if let why = hostile.judge(answer) { tally.fail(why) }
                let kept = Self.storedEvents(hostile.request, answer)
                stored += kept
                if case .accepted = hostile.expect, !kept.isEmpty, let next = hostile.advanced {
                    setup.forge = next
                    texts += hostile.text.map { (hostile.label, $0) }
                } else if let event = kept.first, event.envelope.author == setup.forge.alice.key.publicKey,
                    event.envelope.seq == setup.forge.alice.seq + 1
                {
                    // A mutation that happened to be a valid event extends the admin's chain.
                    setup.forge.alice = ChainWriter(
                        key: setup.forge.alice.key, seq: event.envelope.seq, prev: event.id,
                        clock: max(setup.forge.alice.clock, event.envelope.clock))
                }
            }
        }
        sent += await StalledBodies.run(setup.team.relay, setup.forge, rng: &rng, tally)
        tally.add(inputs: sent, as: "requests")

        try await checkRelay(setup.team, transport, holds: before.events + stored.count, tally)
        try checkRoundTrip(texts, through: setup.bob, run: setup.setupRun, tally)
        DecoderFuzz.run(corpus: corpus, iterations: context.scale.decoderInputs, rng: &rng, tally: tally)
    }

    private func prepare(_ context: ScenarioContext) async throws -> Setup {
        let team = try Team(root: context.root, relayArguments: ["--max-body", String(Self.maxBody)])
        let alice = team.admin
        try alice.succeed(["team", "protect", "production", "--role", "maintainer"])
        try alice.succeed(["deploy", "protect", "production", "--role", "maintainer"])
        let setupRun = try team.createModel()
        let members = try team.join(2, role: "writer")
        let (bob, carol) = (members[0], members[1])
        try alice.succeed(["team", "remove", try Team.publicKey(of: carol).hex, "--reason", "left the team"])
        try alice.succeed(["sync"])
        // Bob's laptop: linked, used once, then revoked by Bob himself.
        let laptop = try CLIProcess(parent: context.root)
        try laptop.succeed(["identity", "create", "--name", "bob's laptop"])
        let laptopKey = try bob.link(laptop, label: "laptop")
        try bob.succeed(["sync"])
        try laptop.succeed(["init", "--join", team.relay.url])
        try bob.succeed(["identity", "revoke", laptopKey, "--reason", "laptop stolen"])
        try bob.succeed(["sync"])
        let second = try RelayProcess(team: team.id.hex, data: context.root.appendingPathComponent("relay-b"))
        try alice.succeed(["remote", "add", "second", second.url])
        try alice.succeed(["sync", "second"])
        // Her cosignature of the second relay's log went there only: the first relay gets it too, so both
        // hold her chain's head.
        try alice.succeed(["sync"])
        let aliceKey = try Team.signingKey(of: alice)
        func announced(_ relay: RelayProcess) async throws -> RequestSignature.Audience {
            guard let url = URL(string: relay.url) else { throw TortureError("bad relay URL \(relay.url)") }
            return try await RelayClient(baseURL: url, key: aliceKey).audience()
        }

        let local = try Ledger(path: alice.database, cacheMiB: 4)
        let model = try local.modelID(named: "digits")
        let carolKey = try Team.signingKey(of: carol)
        guard let runID = LedgerID(hex: setupRun) else { throw TortureError("`mledger run start` printed '\(setupRun)', not a run id") }
        let forge = Forge(
            team: team.id, model: model, version: try local.versionID(model: model, "1"), run: runID,
            alice: try Forge.writer(aliceKey, in: local),
            bob: try Forge.writer(try Team.signingKey(of: bob), in: try Ledger(path: bob.database, cacheMiB: 4)),
            carol: try Forge.writer(carolKey, in: try Ledger(path: carol.database, cacheMiB: 4)),
            revokedDevice: try Forge.writer(try Team.signingKey(of: laptop), in: try Ledger(path: laptop.database, cacheMiB: 4)),
            audience: try await announced(team.relay), secondRelay: (second.port, try await announced(second)))
        return Setup(team: team, secondRelay: second, bob: bob, setupRun: setupRun, removedKey: carolKey, forge: forge)
    }

    /// Still serving, holding exactly the valid events (and no refused blob), and intact.
    private func checkRelay(_ team: Team, _ transport: SocketTransport, holds expected: Int, _ tally: Tally) async throws {
        let health = try? await transport.send(HTTPRequest(method: "GET", target: "/healthz", headers: [], body: []))
        tally.check(health?.status == 200, "the relay stopped answering /healthz after the hostile inputs")
        let after = try LedgerFacts.read(team.relay.database)
        tally.check(after.events == expected, "the relay holds \(after.events) events; expected \(expected) (those before and the valid ones)")
        let blobs =
            FileManager.default.enumerator(at: team.relay.data.appendingPathComponent("blobs"), includingPropertiesForKeys: nil)?
            .compactMap { $0 as? URL }.filter { !$0.hasDirectoryPath } ?? []
        tally.check(blobs.isEmpty, "the relay kept \(blobs.count) files from refused blob uploads, e.g. \(blobs.first?.lastPathComponent ?? "")")
        let report = try team.relayLedger().verify()
        tally.check(report.ok, "relay ledger fails verify after hostile input: \(report.problems.prefix(3))")
        tally.add(events: after.events)
    }

    /// The pushed events the relay answered as stored (accepted, or kept as a fork).
    static func storedEvents(_ request: HTTPRequest, _ answer: HTTPResponse) -> [SignedEvent] {
        guard answer.status == 200, request.target == "/v1/events",
            let letters = ((try? JSONSerialization.jsonObject(with: Data(answer.body))) as? [String: Any])?["statuses"] as? String,
            let frames = try? EventFrames.split(request.body), frames.count == letters.count
        else { return [] }
        return zip(frames, letters).compactMap { frame, letter in
            letter == "a" || letter == "f" ? try? SignedEvent(bytes: frame.bytes, signature: frame.signature) : nil
        }
    }

    /// Another member pulls the odd but valid events; every string comes back unchanged from the views.
    private func checkRoundTrip(_ texts: [(label: String, text: String)], through cli: CLIProcess, run: String, _ tally: Tally) throws {
        try cli.succeed(["sync"])
        let verified = try cli.execute(["verify"])
        tally.check(verified.ok, "`mledger verify` fails after pulling injection strings: \(verified.stdout.prefix(300))")
        var shown = Set<String>()
        for arguments in [
            ["experiment", "list"], ["model", "list"], ["audit"], ["audit", "digits"], ["run", "list", "--limit", "1000000"], ["run", "show", run],
        ] {
            JSONStrings.collect(try cli.jsonOutput(arguments), into: &shown)
        }
        let missing = texts.filter { !shown.contains($0.text) }
        tally.check(
            missing.isEmpty,
            "\(missing.count) of \(texts.count) injected strings are not shown unchanged: "
                + missing.prefix(5).map { "\($0.label): \(String(reflecting: $0.text))" }.joined(separator: ", "))
    }
}

/// Every string (values and keys) in a parsed JSON document.
enum JSONStrings {
    static func collect(_ value: Any, into out: inout Set<String>) {
        switch value {
        case let s as String: out.insert(s)
        case let a as [Any]: for v in a { collect(v, into: &out) }
        case let d as [String: Any]:
            out.formUnion(d.keys)
            for v in d.values { collect(v, into: &out) }
        default: break
        }
    }
}
