import Foundation
import LedgerProtocol

// Writes protocol/vectors/events.json: keys from fixed seeds, valid events with their exact bytes, ids
// and signatures, and invalid cases with the error code each must produce. Everything is fixed
// (seeds, clocks), so running this again gives the same file.

let nowMs: UInt64 = 1_767_225_600_000 // 2026-01-01T00:00:00Z, the receiver's wall clock in every case
func seed(_ byte: UInt8) -> [UInt8] { [UInt8](repeating: byte, count: 32) }
// Fixed 32-byte seeds always yield keys.
let alice = SigningKey(seed: seed(0x01))!
let bob = SigningKey(seed: seed(0x02))!

/// Fixed clocks: each chain starts a minute before the receiver's wall clock.
struct Chain {
    var writer: ChainWriter
    init(key: SigningKey) { writer = ChainWriter(key: key, clock: (nowMs - 60_000) << 16) }
    mutating func next(_ body: some BodyFields, team: LedgerID, heads: [LedgerID] = []) -> SignedEvent {
        writer.next(body, team: team, heads: heads, nowMs: 0)
    }
}

func cborJSON(_ value: CBOR) -> Any {
    switch value {
    case .unsigned(let u): return u
    case .negative(let n): return -1 - Int64(n)
    case .bytes(let b): return "h'\(Hex.encode(b))'"
    case .text(let s): return s
    case .array(let a): return a.map(cborJSON)
    case .map(let m): return m.mapValues(cborJSON)
    case .bool(let b): return b
    case .null: return NSNull()
    case .double(let d): return d
    }
}

func describe(_ name: String, _ e: SignedEvent) -> [String: Any] {
    let env = e.envelope
    let body = (try? CBOR.decode(env.body)).map(cborJSON) ?? NSNull()
    return [
        "name": name,
        "fields": [
            "team": env.team.hex, "author": env.author.hex, "seq": env.seq, "prev": env.prev.hex,
            "clock": String(env.clock), "kind": env.kind.rawValue, "heads": env.heads.map(\.hex),
            "body": Hex.encode(env.body), "body_decoded": body,
        ] as [String: Any],
        "bytes": Hex.encode(e.bytes), "signature": Hex.encode(e.signature), "id": e.id.hex,
    ]
}

var a = Chain(key: alice)
var b = Chain(key: bob)
let genesis = a.next(TeamGenesis(name: "vision"), team: .zero)
let team = genesis.id
let profile = a.next(IdentityProfile(name: "Alice", email: "alice@example.org"), team: team)
let addBob = a.next(MemberAdd(member: bob.publicKey, role: .maintainer, name: "Bob"), team: team)
let experiment = EntityID.experiment(team: team, name: "mnist")
let expCreate = a.next(ExperimentCreate(name: "mnist", description: "digits"), team: team)
let runStart = a.next(RunStart(experiment: experiment, name: "baseline", gitCommit: "0123456789abcdef0123456789abcdef01234567",
                               gitDirty: false, command: "python train.py", host: "node-1", environment: "abc123", startTime: 1_767_225_500_000), team: team)
let metrics = a.next(RunMetrics(run: runStart.id, series: [
    "loss": [MetricPoint(step: 1, timestamp: 1_767_225_501_000, value: 0.5), MetricPoint(step: 2, timestamp: 1_767_225_502_000, value: 0.25)],
    "acc": [MetricPoint(step: 2, timestamp: 1_767_225_502_000, value: 0.875)],
]), team: team)
let model = EntityID.model(team: team, name: "digits")
let modelCreate = a.next(ModelCreate(name: "digits"), team: team)
let version = a.next(VersionCreate(model: model, run: runStart.id, files: [
    ArtifactFile(path: "model/weights.bin", sha256: Hashing.sha256(Array("weights".utf8)), size: 7),
], claimedNumber: 1), team: team)
let bobProfile = b.next(IdentityProfile(name: "Bob"), team: team)
let promoteA = a.next(Promote(model: model, version: version.id, alias: "production", reason: "best holdout accuracy", evidence: ["acc=0.875"]), team: team)
let demoteB = b.next(Demote(model: model, alias: "production", reason: "drift on new data"), team: team, heads: [promoteA.id])
let comment = b.next(CommentAdd(target: version.id, text: "checked on the holdout set"), team: team)

let valid: [(String, SignedEvent)] = [
    ("team genesis", genesis), ("identity profile", profile), ("member add", addBob), ("experiment create", expCreate),
    ("run start", runStart), ("run metrics batch", metrics), ("model create", modelCreate), ("model version create", version),
    ("second author profile", bobProfile), ("promote", promoteA), ("demote naming a head", demoteB), ("comment", comment),
]

// Invalid cases. Each names the valid events the receiver already holds.
var invalid = [[String: Any]]()
@MainActor func addInvalid(_ name: String, bytes: [UInt8], signature: [UInt8], holds: [SignedEvent], error: String, fill: (Int, UInt8)? = nil) {
    var entry: [String: Any] = [
        "name": name, "signature": Hex.encode(signature), "holds": holds.map(\.id.hex), "error": error,
        "team": team.hex, "now_ms": nowMs,
    ]
    if let (count, byte) = fill {
        // Too large to spell out: bytes = head followed by `count` copies of `byte`.
        entry["bytes_head"] = Hex.encode(bytes)
        entry["fill_count"] = count
        entry["fill_byte"] = Hex.encode([byte])
    } else {
        entry["bytes"] = Hex.encode(bytes)
    }
    invalid.append(entry)
}
func resign(_ env: Envelope, _ key: SigningKey) -> SignedEvent { SignedEvent(signing: env, with: key) }
let upToRun = [genesis, profile, addBob, expCreate]

var badSig = runStart.signature
badSig[0] ^= 0x01
addInvalid("signature with one bit flipped", bytes: runStart.bytes, signature: badSig, holds: upToRun, error: "bad_signature")

var tampered = runStart.bytes
tampered[tampered.count - 1] ^= 0x01
addInvalid("body byte changed after signing", bytes: tampered, signature: runStart.signature, holds: upToRun, error: "bad_signature")

var wrongPrev = runStart.envelope
wrongPrev.prev = Hashing.blake2b256(Array("not the previous event".utf8))
let wp = resign(wrongPrev, alice)
addInvalid("prev does not name the author's previous event", bytes: wp.bytes, signature: wp.signature, holds: upToRun, error: "wrong_prev")

var gap = metrics.envelope
gap.seq = 9
gap.prev = runStart.id
let gp = resign(gap, alice)
addInvalid("seq gap (seq 9 after seq 5)", bytes: gp.bytes, signature: gp.signature, holds: upToRun + [runStart], error: "seq_gap")

var forkEnv = runStart.envelope
forkEnv.body = RunStart(experiment: experiment, name: "another run at the same seq").encoded()
let fk = resign(forkEnv, alice)
addInvalid("fork: a second, different event at seq 5 (kept as evidence)", bytes: fk.bytes, signature: fk.signature, holds: upToRun + [runStart], error: "fork")

addInvalid("duplicate of a stored event", bytes: runStart.bytes, signature: runStart.signature, holds: upToRun + [runStart], error: "duplicate")

// Same length as "run.tags", so only the kind changes.
var unknownKind = runStart.bytes
let kindOffset = 16 + 32 + 32 + 8 + 32 + 8
unknownKind.replaceSubrange((kindOffset + 1)..<(kindOffset + 1 + 9), with: Array("run.start".utf8).map { $0 }.enumerated().map { i, c in i == 4 ? UInt8(ascii: "S") : c })
let ukSig = alice.sign(unknownKind)
addInvalid("unknown kind 'run.Start'", bytes: unknownKind, signature: ukSig, holds: upToRun, error: "unknown_kind")

var future = runStart.envelope
future.clock = (nowMs + 3_600_000) << 16
let fu = resign(future, alice)
addInvalid("clock one hour ahead of the receiver", bytes: fu.bytes, signature: fu.signature, holds: upToRun, error: "clock_in_future")

var otherTeam = runStart.envelope
otherTeam.team = Hashing.blake2b256(Array("another team".utf8))
let ot = resign(otherTeam, alice)
addInvalid("event of another team", bytes: ot.bytes, signature: ot.signature, holds: upToRun, error: "wrong_team")

var blankReason = promoteA.envelope
blankReason.body = CBOR.map([
    "model": .bytes(model.bytes), "version": .bytes(version.id.bytes), "alias": .text("production"), "reason": .text("  "),
]).encoded()
let br = resign(blankReason, alice)
addInvalid("promotion with a blank reason", bytes: br.bytes, signature: br.signature, holds: [genesis, profile, addBob, expCreate, runStart, metrics, modelCreate, version], error: "invalid_body")

// Keys out of order: "name" (0x64 6e 61 6d 65) written before "key" is longer, so bytewise order is violated.
var unsorted = expCreate.envelope
unsorted.body = [0xa2, 0x64] + Array("name".utf8) + [0x62] + Array("zz".utf8) + [0x63] + Array("key".utf8) + [0x61, 0x78]
let us = resign(unsorted, alice)
addInvalid("body map keys not in deterministic order", bytes: us.bytes, signature: us.signature, holds: [genesis, profile, addBob], error: "invalid_body")

let truncated = Array(runStart.bytes.prefix(100))
addInvalid("truncated envelope", bytes: truncated, signature: alice.sign(truncated), holds: upToRun, error: "malformed")

// An envelope whose body length says 1 MiB: over the size limit before any other check.
var big = runStart.envelope
big.body = []
var bigHead = big.encoded()
bigHead.removeLast(4)
let fillCount = Envelope.maxSize
bigHead.appendBigEndian(UInt32(fillCount))
addInvalid("envelope over 1 MiB", bytes: bigHead, signature: [UInt8](repeating: 0, count: 64), holds: upToRun, error: "oversized", fill: (fillCount, 0))

let document: [String: Any] = [
    "format": "mledger event test vectors, version 1",
    "note": "See protocol/SPEC.md. Hex is lowercase; clocks are decimal strings (they exceed 2^53). Invalid cases: the receiver holds the listed valid events (by id), its team is `team` and its wall clock `now_ms`; `error` is the code it must produce ('fork' and 'duplicate' are outcomes, not rejections).",
    "keys": [
        ["name": "alice", "seed": Hex.encode(alice.seed), "public_key": alice.publicKey.hex],
        ["name": "bob", "seed": Hex.encode(bob.seed), "public_key": bob.publicKey.hex],
    ],
    "valid": valid.map { describe($0.0, $0.1) },
    "invalid": invalid,
]
let data = try JSONSerialization.data(withJSONObject: document, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
let out = CommandLine.arguments.dropFirst().first ?? "protocol/vectors/events.json"
try data.write(to: URL(fileURLWithPath: out))
print("wrote \(valid.count) valid and \(invalid.count) invalid vectors to \(out)")
