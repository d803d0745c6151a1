import Foundation
import LedgerProcesses
import LedgerProtocol
import LedgerStore

/// Hostile events, each pushed in a correctly signed request by a member: mutated bytes, fields changed
/// and re-signed, wrong teams and clocks, huge and deeply nested bodies, unsafe artifact paths, events
/// of removed members and strangers, replays, and valid events full of injection strings.
enum HostileEvents {
    typealias Make = @Sendable (Forge, inout SplitMix, [SignedEvent]) -> HostileCase

    static let all: [(String, Make)] = [
        ("bit flip", bitFlip), ("re-signed flip", resignedFlip), ("truncated", truncated), ("forged signature", forgedSignature),
        ("seq gap", seqGap), ("wrong prev", wrongPrev), ("other team", otherTeam), ("future clock", futureClock),
        ("unknown kind", unknownKind), ("garbage body", garbageBody), ("deep nesting", deepNesting),
        ("huge field", hugeField), ("oversized event", oversizedEvent), ("path traversal", pathTraversal),
        ("too many heads", tooManyHeads), ("removed member", removedMember), ("stranger", stranger),
        ("replay", replay), ("foreign genesis", foreignGenesis), ("protected alias", protectedAlias), ("protected environment", protectedEnvironment),
        ("injection", injection), ("self-made admin", selfMadeAdmin), ("backdated after removal", backdatedAfterRemoval),
        ("decomposed alias", decomposedAlias), ("stale clock", staleClock), ("revoked device", revokedDevice),
    ]

    static func anyValid(_ f: inout Forge, _ rng: inout SplitMix) -> Envelope {
        Forge.draft(&f.alice, ExperimentCreate(name: "valid \(rng.next() % 1_000_000)"), team: f.team)
    }

    static func signedFrame(_ env: Envelope, _ key: SigningKey) -> (bytes: [UInt8], signature: [UInt8]) {
        let bytes = env.encoded()
        return (bytes, key.sign(bytes))
    }

    static func rejected(_ label: String, _ f: Forge, _ frame: (bytes: [UInt8], signature: [UInt8]), _ codes: Set<String>?) -> HostileCase {
        HostileCase(label: label, request: f.push([frame], as: f.alice.key), expect: .rejected(codes: codes))
    }

    static let bitFlip: Make = { forge, rng, _ in
        var f = forge
        var frame = signedFrame(anyValid(&f, &rng), f.alice.key)
        for _ in 0...Int.random(in: 0...2, using: &rng) {
            let i = Int.random(in: 0..<frame.bytes.count, using: &rng)
            frame.bytes[i] ^= UInt8(1) << UInt8.random(in: 0...7, using: &rng)
        }
        return rejected("bit flip", forge, frame, nil)
    }

    /// Bytes changed and then signed again by the author: the relay must judge the content itself.
    static let resignedFlip: Make = { forge, rng, _ in
        var f = forge
        let body: any BodyFields =
            [
                ExperimentCreate(name: "resigned \(rng.next() % 1_000_000)", description: "d") as any BodyFields,
                Promote(model: f.model, version: f.version, alias: "staging", reason: "flip"),
                RunParams(run: f.run, params: ["lr": "0.1", "opt": "adam"]), CommentAdd(target: f.model, text: "flip"),
            ].randomElement(using: &rng) ?? ExperimentCreate(name: "resigned")
        let env = Forge.draft(&f.alice, body, team: f.team)
        var bytes = env.encoded()
        // Half the time inside the body, where the CBOR decoder and field rules have to catch it.
        let from = Bool.random(using: &rng) ? bytes.count - env.body.count : 0
        for _ in 0...Int.random(in: 0...2, using: &rng) {
            bytes[Int.random(in: from..<bytes.count, using: &rng)] ^= UInt8(1) << UInt8.random(in: 0...7, using: &rng)
        }
        return HostileCase(
            label: "re-signed flip", request: f.push([(bytes, f.alice.key.sign(bytes))], as: f.alice.key),
            expect: .validOrRejected)
    }

    static let truncated: Make = { forge, rng, _ in
        var f = forge
        var frame = signedFrame(anyValid(&f, &rng), f.alice.key)
        frame.bytes = Array(frame.bytes.prefix(Int.random(in: 0..<frame.bytes.count, using: &rng)))
        return rejected("truncated", forge, frame, nil)
    }

    static let forgedSignature: Make = { forge, rng, _ in
        var f = forge
        var frame = signedFrame(anyValid(&f, &rng), f.alice.key)
        if Bool.random(using: &rng) {
            frame.signature[Int.random(in: 0..<64, using: &rng)] ^= 0x40
        } else {
            frame.signature = (0..<64).map { _ in UInt8.random(in: 0...255, using: &rng) }
        }
        return rejected("forged signature", forge, frame, ["bad_signature"])
    }

    static let seqGap: Make = { forge, rng, _ in
        var f = forge
        var env = anyValid(&f, &rng)
        env.seq += UInt64.random(in: 1...1_000_000, using: &rng)
        return rejected("seq gap", forge, signedFrame(env, f.alice.key), ["seq_gap"])
    }

    static let wrongPrev: Make = { forge, rng, _ in
        var f = forge
        var env = anyValid(&f, &rng)
        env.prev = Hashing.blake2b256(Array("not the previous event \(rng.next())".utf8))
        return rejected("wrong prev", forge, signedFrame(env, f.alice.key), ["wrong_prev"])
    }

    static let otherTeam: Make = { forge, rng, _ in
        var f = forge
        var env = anyValid(&f, &rng)
        env.team = Hashing.blake2b256(Array("another team \(rng.next())".utf8))
        return rejected("other team", forge, signedFrame(env, f.alice.key), ["wrong_team"])
    }

    static let futureClock: Make = { forge, rng, _ in
        var f = forge
        var env = anyValid(&f, &rng)
        let ahead = UInt64.random(in: HybridClock.maxFutureSkewMs + 60_000...100 * 365 * 86_400_000, using: &rng)
        env.clock = Bool.random(using: &rng) ? UInt64.max : (wallClockMs() + ahead) << 16
        return rejected("future clock", forge, signedFrame(env, f.alice.key), ["clock_in_future"])
    }

    static let unknownKind: Make = { forge, rng, _ in
        var f = forge
        var bytes = anyValid(&f, &rng).encoded()
        // The kind's text follows the fixed header (magic, team, author, seq, prev, clock) and its length.
        let start = 16 + 32 + 32 + 8 + 32 + 8 + 1
        bytes[start + Int.random(in: 0..<Int(bytes[start - 1]), using: &rng)] = UInt8(ascii: "Z")
        return rejected("unknown kind", forge, (bytes, f.alice.key.sign(bytes)), ["unknown_kind"])
    }

    static let garbageBody: Make = { forge, rng, _ in
        var f = forge
        var env = anyValid(&f, &rng)
        env.kind = EventKind.allCases.filter { $0 != .teamGenesis }.randomElement(using: &rng) ?? .runStart
        env.body = (0..<Int.random(in: 0...200, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }
        return rejected("garbage body", forge, signedFrame(env, f.alice.key), ["invalid_body"])
    }

    static let deepNesting: Make = { forge, rng, _ in
        var f = forge
        var env = anyValid(&f, &rng)
        let depth = Int.random(in: 17...50_000, using: &rng)
        let open: UInt8 = Bool.random(using: &rng) ? 0x81 : 0xa1  // a one-item array, or a one-entry map
        var nested = [UInt8]()
        for _ in 0..<depth {
            nested.append(open)
            if open == 0xa1 { nested += [0x61, UInt8(ascii: "k")] }
        }
        nested.append(0x00)
        env.kind = .experimentCreate
        env.body = [0xa2, 0x64] + Array("name".utf8) + [0x61, UInt8(ascii: "n"), 0x68] + Array("nestedxx".utf8) + nested
        return rejected("deep nesting", forge, signedFrame(env, f.alice.key), ["invalid_body", "oversized"])
    }

    static let hugeField: Make = { forge, rng, _ in
        var f = forge
        let huge = String(repeating: "x", count: Int.random(in: 9_000...300_000, using: &rng))
        let body: any BodyFields =
            [
                ExperimentCreate(name: huge), ExperimentCreate(name: "fine", description: huge),
                RunParams(run: forge.run, params: ["k": huge]), CommentAdd(target: forge.model, text: huge + huge),
            ].randomElement(using: &rng) ?? ExperimentCreate(name: huge)
        let env = Forge.draft(&f.alice, body, team: f.team)
        return rejected("huge field", forge, signedFrame(env, f.alice.key), ["invalid_body"])
    }

    static let oversizedEvent: Make = { forge, rng, _ in
        var f = forge
        var env = anyValid(&f, &rng)
        env.body = [UInt8](repeating: 0x41, count: Envelope.maxSize + Int.random(in: 1...500_000, using: &rng))
        let frame = signedFrame(env, f.alice.key)
        return HostileCase(
            label: "oversized event", request: f.push([frame], as: f.alice.key),
            expect: .refused(statuses: [400], code: "oversized"))
    }

    static let pathTraversal: Make = { forge, rng, _ in
        var f = forge
        let path =
            [
                "../../etc/passwd", "/etc/passwd", "a/../../b", "..", ".", "a//b", "a\\..\\..\\b", "ok/\u{0}/x", "./a",
                "a/./b", "", "a/", String(repeating: "a/", count: 600) + "b",
            ].randomElement(using: &rng) ?? ".."
        let file = ArtifactFile(path: path, sha256: Hashing.sha256(Array(path.utf8)), size: 1)
        let env = Forge.draft(&f.alice, RunArtifacts(run: forge.run, files: [file]), team: f.team)
        return rejected("path traversal '\(path.prefix(40))'", forge, signedFrame(env, f.alice.key), ["invalid_body"])
    }

    static let tooManyHeads: Make = { forge, rng, _ in
        var f = forge
        var env = anyValid(&f, &rng)
        env.heads = (0...Envelope.maxHeads).map { Hashing.blake2b256([UInt8(truncatingIfNeeded: $0)]) }
        return rejected("too many heads", forge, signedFrame(env, f.alice.key), ["malformed"])
    }

    static let removedMember: Make = { forge, rng, _ in
        var f = forge
        let env = Forge.draft(&f.carol, ExperimentCreate(name: "after removal \(rng.next() % 1000)"), team: f.team)
        return rejected("removed member's event", forge, signedFrame(env, f.carol.key), ["forbidden"])
    }

    static let stranger: Make = { forge, rng, _ in
        var writer = ChainWriter(key: SigningKey.generate())
        let env = Forge.draft(&writer, CommentAdd(target: forge.model, text: "hello from outside"), team: forge.team)
        return rejected("stranger's event", forge, signedFrame(env, writer.key), ["forbidden"])
    }

    static let replay: Make = { forge, rng, stored in
        guard let old = stored.randomElement(using: &rng) else { return bitFlip(forge, &rng, stored) }
        return HostileCase(label: "replayed event", request: forge.push([old], as: forge.alice.key), expect: .duplicate)
    }

    static let foreignGenesis: Make = { forge, rng, _ in
        var writer = ChainWriter(key: forge.alice.key, seq: 0)
        let env = Forge.draft(&writer, TeamGenesis(name: "rival \(rng.next() % 1000)"), team: .zero)
        return rejected("another team's genesis", forge, signedFrame(env, forge.alice.key), ["wrong_team"])
    }

    static let protectedAlias: Make = { forge, rng, _ in
        var f = forge
        let env = Forge.draft(&f.bob, Promote(model: f.model, version: f.version, alias: "production", reason: "writer sneaks in"), team: f.team)
        let frame = signedFrame(env, f.bob.key)
        return HostileCase(label: "writer moves a protected alias", request: f.push([frame], as: f.bob.key), expect: .rejected(codes: ["forbidden"]))
    }

    static let protectedEnvironment: Make = { forge, rng, _ in
        var f = forge
        let env = Forge.draft(
            &f.bob, DeploymentRecord(model: f.model, version: f.version, environment: "production", reason: "writer deploys"), team: f.team)
        let frame = signedFrame(env, f.bob.key)
        return HostileCase(
            label: "writer deploys to a protected environment", request: f.push([frame], as: f.bob.key), expect: .rejected(codes: ["forbidden"]))
    }

    /// A stranger's self-signed membership (any role), pushed by a member: the relay judges the author.
    static let selfMadeAdmin: Make = { forge, rng, _ in
        var writer = ChainWriter(key: SigningKey.generate())
        let role = Role.allCases.randomElement(using: &rng) ?? .admin
        let env = Forge.draft(&writer, MemberAdd(member: writer.key.publicKey, role: role, name: "self-made"), team: forge.team)
        return rejected("stranger adds itself as \(role.rawValue)", forge, signedFrame(env, writer.key), ["forbidden"])
    }

    /// The removed member signs on, dated just after their last event: before the removal in merge order,
    /// but past the chain end the removal kept.
    static let backdatedAfterRemoval: Make = { forge, rng, _ in
        var f = forge
        let body: any BodyFields =
            [
                Promote(model: f.model, version: f.version, alias: "staging", reason: "backdated") as any BodyFields,
                ModelCreate(name: "backdated \(rng.next() % 1000)"), DeviceLink(device: SigningKey.generate().publicKey),
                ExperimentCreate(name: "backdated \(rng.next() % 1000)"),
            ].randomElement(using: &rng) ?? ExperimentCreate(name: "backdated")
        let env = Forge.backdatedDraft(&f.carol, body, team: f.team)
        return rejected("removed member's backdated \(env.kind.rawValue)", forge, signedFrame(env, f.carol.key), ["forbidden"])
    }

    /// The revoked laptop signs on, dated now or just after its last event (before its revocation).
    static let revokedDevice: Make = { forge, rng, _ in
        var f = forge
        let body: any BodyFields =
            [
                ExperimentCreate(name: "stolen laptop \(rng.next() % 1000)") as any BodyFields,
                Promote(model: f.model, version: f.version, alias: "staging", reason: "stolen laptop"),
                CommentAdd(target: f.model, text: "stolen laptop"),
            ].randomElement(using: &rng) ?? ExperimentCreate(name: "stolen laptop")
        let backdated = Bool.random(using: &rng)
        let env = backdated ? Forge.backdatedDraft(&f.revokedDevice, body, team: f.team) : Forge.draft(&f.revokedDevice, body, team: f.team)
        return rejected(
            "revoked device's \(backdated ? "backdated " : "")\(env.kind.rawValue)", forge, signedFrame(env, f.revokedDevice.key), ["forbidden"])
    }

    /// An alias in another Unicode form than NFC: refused, so no spelling slips past a protection.
    static let decomposedAlias: Make = { forge, rng, _ in
        var f = forge
        var env = Forge.draft(&f.bob, ExperimentCreate(name: "placeholder"), team: f.team)
        let alias = ["pre\u{301}prod", "productio\u{301}n", "A\u{30A}lias", "\u{1100}\u{1161}"].randomElement(using: &rng) ?? "pre\u{301}prod"
        env.kind = .promote
        env.body = CBOR.map(["model": .bytes(f.model.bytes), "version": .bytes(f.version.bytes), "alias": .text(alias), "reason": .text("nfd")])
            .encoded()
        return rejected("alias not in NFC", forge, signedFrame(env, f.bob.key), ["invalid_body"])
    }

    /// A chain's clocks only grow: an event dated at or below its predecessor is refused.
    static let staleClock: Make = { forge, rng, _ in
        var f = forge
        var env = anyValid(&f, &rng)
        env.clock = forge.alice.clock - UInt64.random(in: 0...1_000_000, using: &rng)
        return rejected("clock not above the previous event's", forge, signedFrame(env, f.alice.key), ["stale_clock"])
    }

    /// Valid events whose every text field is an injection string: stored as data, shown unchanged.
    static let injection: Make = { forge, rng, _ in
        var f = forge
        let text = (Injection.strings.randomElement(using: &rng) ?? "") + " #\(rng.next() % 1_000_000)"
        let body: any BodyFields
        switch Int.random(in: 0..<8, using: &rng) {
        case 0: body = ExperimentCreate(name: text, description: text)
        case 1: body = ModelCreate(name: text, description: text)
        case 2: body = Promote(model: f.model, version: f.version, alias: "staging", reason: text)
        case 3: body = CommentAdd(target: f.model, text: text)
        case 4: body = RunParams(run: f.run, params: [text: text])
        case 5: body = RunTags(run: f.run, tags: [text: text])
        case 6: body = Demote(model: f.model, alias: "staging", reason: text)
        default: body = RunStart(experiment: EntityID.experiment(team: f.team, name: "setup"), name: text, command: text, host: text)
        }
        let event = f.alice.next(body, team: f.team, nowMs: wallClockMs())
        return HostileCase(
            label: "injection in \(type(of: body).kind.rawValue)", request: f.push([event], as: f.alice.key),
            expect: .accepted, advanced: f, text: [text])
    }
}

/// Strings that break careless SQL, HTML, shells, paths and terminals.
enum Injection {
    static let strings = [
        "'; DROP TABLE events; --", "\" OR 1=1 --", "Robert'); DELETE FROM runs WHERE ('1'='1", "1; UPDATE events SET bytes = x'00'",
        "<script>alert('x')</script>", "<img src=x onerror=alert(1)>", "\"><svg/onload=alert(1)>", "&lt;b&gt; &amp; </textarea>",
        "../../etc/passwd", "$(rm -rf /)", "`id`", "%s%s%n%x", "{{7*7}}", "${jndi:ldap://x}", "\u{202E}gnp.exe", "ünïcødé ✓ 漢字 🙂",
        "back\\slash \"quote\" 'single'", "tab\there", "line\nbreak",
    ]
}
