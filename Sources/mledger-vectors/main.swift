import Foundation
import LedgerProtocol

// Writes protocol/vectors/events.json: keys from fixed seeds, valid events with their exact bytes, ids
// and signatures, and invalid cases with the error code each must produce. Everything is fixed
// (seeds, clocks), so running this again gives the same file.

let nowMs: UInt64 = 1_767_225_600_000  // 2026-01-01T00:00:00Z, the receiver's wall clock in every case
func seed(_ byte: UInt8) -> [UInt8] { [UInt8](repeating: byte, count: 32) }
// Fixed 32-byte seeds always yield keys.
let alice = SigningKey(seed: seed(0x01))!
let bob = SigningKey(seed: seed(0x02))!
let carol = SigningKey(seed: seed(0x03))!
let device = SigningKey(seed: seed(0x04))!
let mallory = SigningKey(seed: seed(0x05))!
let bobNew = SigningKey(seed: seed(0x06))!

/// Fixed clocks: each chain starts a minute before the receiver's wall clock, and its author observes
/// what it names or follows (SPEC 7), as a real writer does.
struct Chain {
    var writer: ChainWriter
    init(key: SigningKey) { writer = ChainWriter(key: key, clock: (nowMs - 60_000) << 16) }
    mutating func next(_ body: some BodyFields, team: LedgerID, heads: [LedgerID] = []) -> SignedEvent {
        writer.next(body, team: team, heads: heads, nowMs: 0)
    }
    func after(_ events: SignedEvent...) -> Chain {
        var copy = self
        for e in events { copy.writer.observe(clock: e.envelope.clock) }
        return copy
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
let runStart = a.next(
    RunStart(
        experiment: experiment, name: "baseline", gitCommit: "0123456789abcdef0123456789abcdef01234567",
        gitDirty: false, command: "python train.py", host: "node-1", environment: "abc123", startTime: 1_767_225_500_000), team: team)
let metrics = a.next(
    RunMetrics(
        run: runStart.id,
        series: [
            "loss": [
                MetricPoint(step: 1, timestamp: 1_767_225_501_000, value: 0.5), MetricPoint(step: 2, timestamp: 1_767_225_502_000, value: 0.25),
            ],
            "acc": [MetricPoint(step: 2, timestamp: 1_767_225_502_000, value: 0.875)],
        ]), team: team)
let model = EntityID.model(team: team, name: "digits")
let modelCreate = a.next(ModelCreate(name: "digits"), team: team)
let version = a.next(
    VersionCreate(
        model: model, run: runStart.id,
        files: [
            ArtifactFile(path: "model/weights.bin", sha256: Hashing.sha256(Array("weights".utf8)), size: 7)
        ], claimedNumber: 1), team: team)
b = b.after(addBob)
let bobProfile = b.next(IdentityProfile(name: "Bob"), team: team)
let promoteA = a.next(
    Promote(model: model, version: version.id, alias: "production", reason: "best holdout accuracy", evidence: ["acc=0.875"]), team: team)
b = b.after(promoteA)
let demoteB = b.next(Demote(model: model, alias: "production", reason: "drift on new data"), team: team, heads: [promoteA.id])
let comment = b.next(CommentAdd(target: version.id, text: "checked on the holdout set"), team: team)
// MLflow 3: a logged model of the run, its upload finished, the run's dataset and output, a version
// registered from the logged model, a tombstone; a rename, tag removals, a version's description and
// an artifact removed.
let logged = b.next(
    LoggedModelCreate(
        experiment: experiment, name: "digits-cnn", run: runStart.id, modelType: "sklearn",
        params: ["lr": "0.01"], tags: ["flavor": "sklearn"]), team: team)
let modelFile = ArtifactFile(path: "model/model.pkl", sha256: Hashing.sha256(Array("pickled".utf8)), size: 7)
let loggedReady = b.next(
    LoggedModelUpdate(
        model: logged.id, status: .ready, tags: ["checked": "yes"], removedTags: ["flavor"],
        files: [modelFile]), team: team)
let inputs = b.next(
    RunInputs(
        run: runStart.id,
        datasets: [
            DatasetInput(
                name: "mnist-train", digest: "3f2a9c41", sourceType: "local", source: #"{"uri": "data/train.csv"}"#,
                schema: #"{"mlflow_colspec": [{"type": "double", "name": "x"}]}"#, profile: #"{"num_rows": 60000}"#,
                tags: ["mlflow.data.context": "training"])
        ]), team: team)
let outputs = b.next(RunOutputs(run: runStart.id, models: [.init(model: logged.id, step: 12)]), team: team)
let loggedVersion = b.next(VersionCreate(model: model, run: runStart.id, files: [modelFile], claimedNumber: 2, loggedModel: logged.id), team: team)
let tombstone = b.next(EntityDelete(target: logged.id, reason: "superseded by the registered version"), team: team)
let rename = b.next(EntityRename(target: model, name: "digits-classifier", reason: "the team's naming scheme"), team: team)
let tagRemoval = b.next(RunTags(run: runStart.id, tags: ["stage": "done"], removed: ["draft"]), team: team)
let experimentTagRemoval = b.next(ExperimentTag(experiment: experiment, key: "owner", value: nil), team: team)
let versionDescribe = b.next(ModelDescribe(model: model, version: version.id, description: "the first, checked on the holdout"), team: team)
let artifactRemoval = b.next(RunArtifacts(run: runStart.id, files: [], removed: ["checkpoints/epoch-1.pt"]), team: team)
/// The last event of Bob's valid chain: where later cases continue or cut it.
let bobsLast = artifactRemoval
// Imported from an MLflow server (SPEC 6.14): a run with its original author and time, and a stage as the
// state at import. Alice signs them as the importer.
let importSource = "http://mlflow.example.org:5000"
var ai = a.after(bobsLast)
let importedRun = ai.next(
    Imported(
        RunStart(experiment: experiment, name: "imported «run»", startTime: 1_767_225_000_000),
        Provenance(
            system: "mlflow", source: importSource, object: "run", ids: ["run_id": "8e3b720aaa56430991625f4742c2dcb9"], user: "ada",
            time: 1_767_225_000_000, data: ["artifact_uri": "mlflow-artifacts:/2/8e3b720aaa56430991625f4742c2dcb9/artifacts"])), team: team)
let importedStage = ai.next(
    Imported(
        Promote(
            model: model, version: version.id, alias: "staging",
            reason: "state at import: stage Staging of version 1 in MLflow, which keeps no history of when it was set or by whom"),
        Provenance(
            system: "mlflow", source: importSource, object: "model_version", ids: ["name": "digits", "version": "1"],
            updated: 1_767_225_100_000, data: ["stage": "Staging"], stateAtImport: true)), team: team)

// Deployments and production monitoring (SPEC 6.16), continuing Alice's chain after the imports: the
// environment protected, the version deployed, production points, a rule, its alert, a rollback, a removal.
let protectProduction = ai.next(EnvironmentProtect(environment: "production", role: .maintainer), team: team)
let deploy = ai.next(
    DeploymentRecord(model: model, version: loggedVersion.id, environment: "production", target: "k8s/eu-west-1", reason: "beats v1 on the holdout"),
    team: team)
let productionPoints = ai.next(
    MonitorPoints(
        model: model, environment: "production", version: loggedVersion.id,
        series: ["accuracy": [.init(step: 1, timestamp: 1_767_225_300_000, value: 0.71), .init(step: 2, timestamp: 1_767_225_330_000, value: 0.69)]],
        source: "http://127.0.0.1:8000/metrics"), team: team)
let rule = ai.next(
    MonitorRule(
        model: model, environment: "production",
        definition: .init(metric: "accuracy", condition: .below, threshold: 0.75, forMs: 30_000, command: "make retrain")), team: team)
let alert = ai.next(
    MonitorAlert(
        rule: rule.id, model: model, environment: "production", version: loggedVersion.id, metric: "accuracy",
        points: [.init(step: 1, timestamp: 1_767_225_300_000, value: 0.71), .init(step: 2, timestamp: 1_767_225_330_000, value: 0.69)],
        summary: "accuracy below 0.75 for 30s (2 points, 0.69…0.71)"), team: team)
let rollback = ai.next(
    DeploymentRollback(model: model, environment: "production", version: version.id, from: loggedVersion.id, reason: "accuracy fell"), team: team)
let ruleRemoval = ai.next(MonitorRule(model: model, environment: "production", remove: rule.id), team: team)
/// Alice's chain as it stands after the monitoring events: the deployments view continues it from here.
let aliceAfterMonitoring = ai
// Promotion requests and approvals (SPEC 6.15): production needs two maintainers' approvals; Alice asks
// for version 1, naming the alias's live head, and Bob approves.
let protectApprovals = ai.next(AliasProtect(alias: "production", role: .maintainer, approvals: 2, notRequester: true), team: team)
let promotionRequest = ai.next(
    PromotionRequest(model: model, version: version.id, alias: "production", reason: "back to v1 after the drift fix", evidence: ["acc=0.875"]),
    team: team, heads: [demoteB.id])
var bq = b.after(promotionRequest)
let promotionApproval = bq.next(PromotionDecision(request: promotionRequest.id, verdict: .approve, reason: "checked the holdout"), team: team)
// Alice announces the team relay's transparency-log key (SPEC 6.17).
let relayLogKey = SigningKey(seed: seed(0x0c))!
let announcedKey = SignedNote.verifierKey(name: Checkpoint.origin(team: team), key: relayLogKey.publicKey)
let relayAnnouncement = ai.next(RelayAnnounce(key: announcedKey, url: "https://relay.example.org/mledger/"), team: team)
// Bob witnesses a checkpoint of that log he verified (SPEC 6.18).
let cosignedCheckpoint = Checkpoint(origin: Checkpoint.origin(team: team), size: 13, root: Hashing.sha256(Array("thirteen leaves".utf8)))
let relayCosignature = bq.next(RelayCosign(key: announcedKey, checkpoint: cosignedCheckpoint.signed(with: relayLogKey).encoded), team: team)

// The same seq as runStart, signed again: a fork, kept as evidence (and held by every receiver's invalid cases below).
var forkEnv = runStart.envelope
forkEnv.body = RunStart(experiment: experiment, name: "another run at the same seq").encoded()
let forkSide = SignedEvent(signing: forkEnv, with: alice)

let chainOfValid = [
    genesis, profile, addBob, expCreate, runStart, metrics, modelCreate, version, bobProfile, promoteA, demoteB, comment,
    logged, loggedReady, inputs, outputs, loggedVersion, tombstone, rename, tagRemoval, experimentTagRemoval, versionDescribe,
    artifactRemoval,
]
let valid: [(String, SignedEvent)] = [
    ("team genesis", genesis), ("identity profile", profile), ("member add", addBob), ("experiment create", expCreate),
    ("run start", runStart), ("run metrics batch", metrics), ("model create", modelCreate), ("model version create", version),
    ("second author profile", bobProfile), ("promote", promoteA), ("demote naming a head", demoteB), ("comment", comment),
    ("logged model create", logged), ("logged model update", loggedReady), ("run inputs", inputs), ("run outputs", outputs),
    ("model version from a logged model", loggedVersion), ("entity delete", tombstone), ("entity rename", rename),
    ("run tags set and removed", tagRemoval), ("experiment tag removed", experimentTagRemoval),
    ("version description", versionDescribe), ("run artifact removed", artifactRemoval),
    ("run start imported from MLflow, with its provenance", importedRun),
    ("stage imported as the state at import", importedStage),
    ("environment protected", protectProduction), ("deployment record", deploy), ("production metric points", productionPoints),
    ("monitoring rule that starts a command", rule), ("alert with its evidence", alert), ("deployment rollback", rollback),
    ("monitoring rule removal", ruleRemoval),
    ("alias protected with two approvals, not the requester's", protectApprovals), ("promotion request naming the alias's head", promotionRequest),
    ("promotion approval", promotionApproval), ("relay log key announced", relayAnnouncement),
    ("relay checkpoint cosigned", relayCosignature),
    ("the other side of a fork at alice's seq 5", forkSide),
]

// Invalid cases. Each names the valid events the receiver already holds.
var invalid = [[String: Any]]()
@MainActor func addInvalid(
    _ name: String, bytes: [UInt8], signature: [UInt8], holds: [SignedEvent], error: String, fill: (Int, UInt8)? = nil,
    receiverTeam: LedgerID? = team
) {
    var entry: [String: Any] = [
        "name": name, "signature": Hex.encode(signature), "holds": holds.map(\.id.hex), "error": error,
        "team": receiverTeam.map { $0.hex } ?? NSNull(), "now_ms": nowMs,
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

addInvalid(
    "fork: a second, different event at seq 5 (kept as evidence)", bytes: forkSide.bytes, signature: forkSide.signature, holds: upToRun + [runStart],
    error: "fork")

addInvalid("duplicate of a stored event", bytes: runStart.bytes, signature: runStart.signature, holds: upToRun + [runStart], error: "duplicate")

// Same length as "run.tags", so only the kind changes.
var unknownKind = runStart.bytes
let kindOffset = 16 + 32 + 32 + 8 + 32 + 8
unknownKind.replaceSubrange(
    (kindOffset + 1)..<(kindOffset + 1 + 9), with: Array("run.start".utf8).map { $0 }.enumerated().map { i, c in i == 4 ? UInt8(ascii: "S") : c })
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
addInvalid(
    "promotion with a blank reason", bytes: br.bytes, signature: br.signature,
    holds: [genesis, profile, addBob, expCreate, runStart, metrics, modelCreate, version], error: "invalid_body")

// Keys out of order: "name" (0x64 6e 61 6d 65) written before "key" is longer, so bytewise order is violated.
var unsorted = expCreate.envelope
unsorted.body = [0xa2, 0x64] + Array("name".utf8) + [0x62] + Array("zz".utf8) + [0x63] + Array("key".utf8) + [0x61, 0x78]
let us = resign(unsorted, alice)
addInvalid(
    "body map keys not in deterministic order", bytes: us.bytes, signature: us.signature, holds: [genesis, profile, addBob], error: "invalid_body")

let truncated = Array(runStart.bytes.prefix(100))
addInvalid("truncated envelope", bytes: truncated, signature: alice.sign(truncated), holds: upToRun, error: "malformed")

// An envelope whose body length says 1 MiB: over the size limit before any other check.
var big = runStart.envelope
big.body = []
var bigHead = big.encoded()
bigHead.removeLast(4)
let fillCount = Envelope.maxSize
bigHead.appendBigEndian(UInt32(fillCount))
addInvalid(
    "envelope over 1 MiB", bytes: bigHead, signature: [UInt8](repeating: 0, count: 64), holds: upToRun, error: "oversized", fill: (fillCount, 0))

// MARK: More envelope, signature, chain and body rules

addInvalid("signature of 63 bytes", bytes: runStart.bytes, signature: Array(runStart.signature.prefix(63)), holds: upToRun, error: "malformed")
addInvalid("signature of 65 bytes", bytes: runStart.bytes, signature: runStart.signature + [0], holds: upToRun, error: "malformed")
addInvalid("a byte after the body", bytes: runStart.bytes + [0], signature: alice.sign(runStart.bytes + [0]), holds: upToRun, error: "malformed")

/// An envelope spelled out field by field, so the layout rules can be broken on purpose.
func rawEnvelope(
    team: LedgerID, seq: UInt64, prev: LedgerID, clock: UInt64, kind: String, heads: [LedgerID], body: [UInt8], headCount: Int? = nil
) -> [UInt8] {
    var out = Array("mledger/event/v1".utf8) + team.bytes + alice.publicKey.bytes
    out.appendBigEndian(seq)
    out += prev.bytes
    out.appendBigEndian(clock)
    out.append(UInt8(kind.utf8.count))
    out += Array(kind.utf8)
    out.append(UInt8(headCount ?? heads.count))
    for h in heads { out += h.bytes }
    out.appendBigEndian(UInt32(body.count))
    return out + body
}
@MainActor func addRaw(_ name: String, _ bytes: [UInt8], holds: [SignedEvent] = upToRun, error: String, receiverTeam: LedgerID? = team) {
    addInvalid(name, bytes: bytes, signature: alice.sign(bytes), holds: holds, error: error, receiverTeam: receiverTeam)
}
let env5 = runStart.envelope
addRaw(
    "33 heads",
    rawEnvelope(
        team: team, seq: 5, prev: env5.prev, clock: env5.clock, kind: "run.start",
        heads: [LedgerID](repeating: genesis.id, count: 33), body: env5.body), error: "malformed")
addRaw("seq 0", rawEnvelope(team: team, seq: 0, prev: .zero, clock: env5.clock, kind: "run.start", heads: [], body: env5.body), error: "malformed")
addRaw(
    "seq 1 with a prev", rawEnvelope(team: team, seq: 1, prev: genesis.id, clock: env5.clock, kind: "run.start", heads: [], body: env5.body),
    error: "malformed")
addRaw(
    "seq 5 with the zero prev", rawEnvelope(team: team, seq: 5, prev: .zero, clock: env5.clock, kind: "run.start", heads: [], body: env5.body),
    error: "malformed")
addRaw(
    "a non-genesis with the zero team",
    rawEnvelope(team: .zero, seq: 5, prev: env5.prev, clock: env5.clock, kind: "run.start", heads: [], body: env5.body), error: "malformed")
addRaw(
    "a genesis with a team",
    rawEnvelope(team: team, seq: 1, prev: .zero, clock: env5.clock, kind: "team.genesis", heads: [], body: genesis.envelope.body), error: "malformed")
addRaw(
    "a genesis at seq 2",
    rawEnvelope(team: .zero, seq: 2, prev: genesis.id, clock: env5.clock, kind: "team.genesis", heads: [], body: genesis.envelope.body),
    error: "malformed")
addRaw("a receiver without a team given a non-genesis", runStart.bytes, holds: [], error: "wrong_team", receiverTeam: nil)
addRaw(
    "clock equal to the previous event's",
    rawEnvelope(team: team, seq: 5, prev: env5.prev, clock: expCreate.envelope.clock, kind: "run.start", heads: [], body: env5.body),
    error: "stale_clock")
addRaw(
    "clock below the previous event's",
    rawEnvelope(team: team, seq: 5, prev: env5.prev, clock: expCreate.envelope.clock - 7, kind: "run.start", heads: [], body: env5.body),
    error: "stale_clock")
addRaw(
    "a third event at a forked seq",
    rawEnvelope(
        team: team, seq: 5, prev: env5.prev, clock: env5.clock, kind: "run.start", heads: [],
        body: RunStart(experiment: experiment, name: "third").encoded()),
    holds: upToRun + [runStart, forkSide], error: "forked_chain")
addRaw(
    "17 seqs past a fork",
    rawEnvelope(
        team: team, seq: 5 + 17, prev: Hashing.blake2b256([5]), clock: env5.clock + 100, kind: "experiment.create", heads: [],
        body: ExperimentCreate(name: "far").encoded()),
    holds: upToRun + [runStart, forkSide], error: "forked_chain")

/// A body for `kind` at alice's seq 5, which the receiver holding `upToRun` checks for validity.
@MainActor func addBody(_ name: String, kind: String = "experiment.tag", _ body: [UInt8]) {
    addRaw(name, rawEnvelope(team: team, seq: 5, prev: env5.prev, clock: env5.clock, kind: kind, heads: [], body: body), error: "invalid_body")
}
func text(_ s: String) -> [UInt8] { CBOR.text(s).encoded() }
let exp = text("experiment") + [0x58, 0x20] + experiment.bytes
// experiment.tag {experiment, key, value}: keys sorted by encoded bytes ("key" < "value" < "experiment").
func tag(key: [UInt8], value: [UInt8]) -> [UInt8] { [0xa3] + text("key") + key + text("value") + value + exp }
addBody("a length in a longer head than needed (24 as 0x78 0x18 for a 3-byte text)", tag(key: [0x78, 0x03] + Array("abc".utf8), value: text("v")))
addBody("an indefinite-length text", tag(key: [0x7f, 0x63] + Array("abc".utf8) + [0xff], value: text("v")))
addBody("a tag (0xc0) on a text", tag(key: text("k"), value: [0xc0] + text("2026")))
addBody(
    "a half float (0xf9)", kind: "run.params",
    [0xa2] + text("run") + [0x58, 0x20] + runStart.id.bytes + text("params") + [0xa1] + text("lr") + [0xf9, 0x3c, 0x00])
addBody(
    "a single float (0xfa)", kind: "run.params",
    [0xa2] + text("run") + [0x58, 0x20] + runStart.id.bytes + text("params") + [0xa1] + text("lr") + [0xfa, 0x3f, 0x80, 0, 0])
addBody("text that is not UTF-8", tag(key: text("k"), value: [0x62, 0xc3, 0x28]))
addBody("an encoded surrogate (U+D800) in text", tag(key: text("k"), value: [0x63, 0xed, 0xa0, 0x80]))
addBody("a key not in NFC", tag(key: text("pre\u{301}prod"), value: text("v")))
addBody("an alias not in NFC", kind: "team.alias.protect", [0xa2] + text("role") + text("admin") + text("alias") + text("pre\u{301}prod"))
addBody(
    "two map keys equal under NFC", kind: "run.params",
    [0xa2] + text("run") + [0x58, 0x20] + runStart.id.bytes + text("params")
        + [0xa2] + text("\u{E9}") + text("1") + text("e\u{301}") + text("2"))
var deep: [UInt8] = text("v")
for _ in 0..<17 { deep = [0x81] + deep }
addBody("nesting 18 deep (an unknown field holding arrays)", [0xa4] + text("key") + text("k") + text("deep") + deep + text("value") + text("v") + exp)
// run.tags with neither tags nor removals, and a rename to a name not in NFC.
addBody("run tags changing nothing", kind: "run.tags", [0xa1] + text("run") + [0x58, 0x20] + runStart.id.bytes)
addBody(
    "a rename to a name not in NFC", kind: "entity.rename",
    [0xa2] + text("name") + text("pre\u{301}prod") + text("target") + [0x58, 0x20] + experiment.bytes)
for (name, path) in [
    ("a path with '..'", "a/../b"), ("an absolute path", "/etc/passwd"), ("a path with '//'", "a//b"), ("a path with a backslash", "a\\b"),
    ("an empty path", ""),
] {
    let file = [0xa3] + text("path") + text(path) + text("size") + [0x01] + text("sha256") + [0x58, 0x20] + Hashing.sha256([1])
    addBody("artifact \(name)", kind: "run.artifacts", [0xa2] + text("run") + [0x58, 0x20] + runStart.id.bytes + text("files") + [0x81] + file)
}
let chainEnd = [0xa2] + text("seq") + [0x01] + text("author") + [0x58, 0x20] + bob.publicKey.bytes
addBody(
    "two chain ends for one author", kind: "team.member.remove",
    [0xa3] + text("member") + [0x58, 0x20] + bob.publicKey.bytes
        + text("reason") + text("left") + text("chain_ends") + [0x82] + chainEnd + chainEnd)

// Ed25519 edge cases (SPEC 2.1): each must fail exactly as libsodium 1.0.18's verify fails it.
let order: [UInt8] = Hex.decode("edd3f55c1a631258d69cf7a2def9de1400000000000000000000000000000010")!  // L, little-endian
var sPlusL = runStart.signature
var carry = 0
for i in 32..<64 {
    let sum = Int(sPlusL[i]) + Int(order[i - 32]) + carry
    sPlusL[i] = UInt8(sum & 0xff)
    carry = sum >> 8
}
addInvalid(
    "signature with S + L in place of S (S not below the group order)", bytes: runStart.bytes, signature: sPlusL, holds: upToRun,
    error: "bad_signature")
let identity = [UInt8(1)] + [UInt8](repeating: 0, count: 31)
addInvalid(
    "signature whose R is the identity (small order)", bytes: runStart.bytes, signature: identity + Array(runStart.signature[32...]), holds: upToRun,
    error: "bad_signature")
// y = p + 1 (non-canonical) encodes the point y = 1 a second way.
let nonCanonical = Hex.decode("eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f")!
addInvalid(
    "signature whose R is not canonically encoded", bytes: runStart.bytes, signature: nonCanonical + Array(runStart.signature[32...]), holds: upToRun,
    error: "bad_signature")
// With A the identity, R = B (the base point) and S = 1 satisfy the equation [S]B = R + [k]A for every
// message: only the key checks refuse these.
let basePoint = Hex.decode("5866666666666666666666666666666666666666666666666666666666666666")!
let equationHolds = basePoint + [1] + [UInt8](repeating: 0, count: 31)
for (name, key) in [("the identity (small order)", identity), ("not canonically encoded", nonCanonical)] {
    var env = rawEnvelope(
        team: team, seq: 1, prev: .zero, clock: env5.clock, kind: "experiment.create", heads: [], body: ExperimentCreate(name: "x").encoded())
    env.replaceSubrange(48..<80, with: key)
    addInvalid(
        "an author key that is \(name), with a signature the equation alone accepts", bytes: env, signature: equationHolds, holds: upToRun,
        error: "bad_signature")
}

// MARK: View vectors: sequences of events and the team views they must give (SPEC 2.3, 9).

func frames(_ events: [SignedEvent]) -> [[String: String]] { events.map { ["bytes": Hex.encode($0.bytes), "signature": Hex.encode($0.signature)] } }
var views = [[String: Any]]()
/// A deployment timeline a view must give (SPEC 6.16): its allowed entries in merge order and the version serving.
struct Timeline {
    var environment: String
    var stints: [SignedEvent]
    var serving: LedgerID
}
@MainActor func addView(
    _ name: String, _ events: [SignedEvent], members: [PublicKey: String], devices: [PublicKey: (PublicKey, Bool)] = [:],
    production: [SignedEvent], staging: [SignedEvent] = [], held: [SignedEvent] = [], deployments: [Timeline]? = nil
) {
    var expect: [String: Any] = [
        "members": Dictionary(uniqueKeysWithValues: members.map { ($0.key.hex, $0.value) }),
        "devices": Dictionary(
            uniqueKeysWithValues: devices.map { ($0.key.hex, ["member": $0.value.0.hex, "revoked": $0.value.1] as [String: Any]) }),
        "aliases": [["model": model.hex, "alias": "production", "heads": production.map(\.id.hex)]]
            + (staging.isEmpty ? [] : [["model": model.hex, "alias": "staging", "heads": staging.map(\.id.hex)]]),
        "held": held.map(\.id.hex).sorted(),
    ]
    if let deployments {
        expect["deployments"] = deployments.sorted { Array($0.environment.utf8).lexicographicallyPrecedes($1.environment.utf8) }.map {
            ["model": model.hex, "environment": $0.environment, "stints": $0.stints.map(\.id.hex), "serving": $0.serving.hex] as [String: Any]
        }
    }
    views.append(["name": name, "events": frames(events), "expect": expect])
}
addView("the valid chains", chainOfValid, members: [alice.publicKey: "admin", bob.publicKey: "maintainer"], production: [demoteB])

var m = Chain(key: mallory).after(comment)
let selfAdd = m.next(MemberAdd(member: mallory.publicKey, role: .admin, name: "Mallory"), team: team)
let selfPromote = m.next(Promote(model: model, version: version.id, alias: "production", reason: "trust me"), team: team, heads: [demoteB.id])
let selfExperiment = m.next(ExperimentCreate(name: "mallory"), team: team)
addView(
    "a stranger's self-made admin, through a receiver that does not enforce roles, counts nowhere",
    chainOfValid + [selfAdd, selfPromote, selfExperiment], members: [alice.publicKey: "admin", bob.publicKey: "maintainer"], production: [demoteB],
    held: [selfAdd, selfPromote, selfExperiment])

var a2 = a.after(bobsLast)
a2.writer.observe(clock: comment.envelope.clock + (1000 << 16))
let removeBob = a2.next(
    MemberRemove(member: bob.publicKey, reason: "left the team", chainEnds: [ChainEnd(author: bob.publicKey, seq: bobsLast.envelope.seq)]),
    team: team)
var b2 = b
let bobBackdatedPromote = b2.next(
    Promote(model: model, version: version.id, alias: "production", reason: "backdated"), team: team, heads: [demoteB.id])
let bobBackdatedModel = b2.next(ModelCreate(name: "bobs"), team: team)
precondition(bobBackdatedModel.envelope.clock < removeBob.envelope.clock)
addView(
    "events signed after a removal but dated before it count nowhere",
    chainOfValid + [removeBob, bobBackdatedPromote, bobBackdatedModel], members: [alice.publicKey: "admin", bob.publicKey: "removed"],
    production: [demoteB],
    held: [bobBackdatedPromote, bobBackdatedModel])

var b3 = b.after(comment)
let linkDevice = b3.next(DeviceLink(linking: device, to: bob.publicKey, team: team, label: "laptop"), team: team)
var d = Chain(key: device).after(linkDevice)
let fromDevice = d.next(ExperimentCreate(name: "from the laptop"), team: team)
var a3 = a.after(fromDevice)
let revoke = a3.next(
    MemberRemove(member: device.publicKey, reason: "laptop stolen", chainEnds: [ChainEnd(author: device.publicKey, seq: 1)]), team: team)
d = d.after(revoke)
let afterRevoke = d.next(ExperimentCreate(name: "thief"), team: team)
addView(
    "a linked device acts for its member until it is revoked",
    chainOfValid + [linkDevice, fromDevice, revoke, afterRevoke], members: [alice.publicKey: "admin", bob.publicKey: "maintainer"],
    devices: [device.publicKey: (bob.publicKey, true)], production: [demoteB], held: [afterRevoke])

// Deployments (SPEC 6.16): after Alice's protected-environment events, Carol (a writer) deploys to the
// protected production (counted, but no stint) and to staging (a stint).
var aDeploy = aliceAfterMonitoring
let addCarolWriter = aDeploy.next(MemberAdd(member: carol.publicKey, role: .writer, name: "Carol"), team: team)
var cDeploy = Chain(key: carol).after(addCarolWriter)
let carolProduction = cDeploy.next(
    DeploymentRecord(model: model, version: version.id, environment: "production", reason: "not mine to deploy"), team: team)
let carolStaging = cDeploy.next(DeploymentRecord(model: model, version: version.id, environment: "staging", reason: "a writer may"), team: team)
addView(
    "deployments to a protected environment need its role; the timeline is the allowed records in merge order",
    chainOfValid + [importedRun, importedStage, protectProduction, deploy, productionPoints, rule, alert, rollback, ruleRemoval]
        + [addCarolWriter, carolProduction, carolStaging],
    members: [alice.publicKey: "admin", bob.publicKey: "maintainer", carol.publicKey: "writer"], production: [demoteB],
    staging: [importedStage],
    deployments: [
        Timeline(environment: "production", stints: [deploy, rollback], serving: version.id),
        Timeline(environment: "staging", stints: [carolStaging], serving: version.id),
    ])

// Alice names Bob's demotion without having observed it: her clock is not above it.
var a4 = a
let aliceBackdated = a4.next(
    Promote(model: model, version: version.id, alias: "production", reason: "dated below its head"), team: team, heads: [demoteB.id])
precondition(aliceBackdated.envelope.clock <= demoteB.envelope.clock)
a4 = a4.after(comment)
let addCarol = a4.next(MemberAdd(member: carol.publicKey, role: .writer, name: "Carol"), team: team)
let protect = a4.next(AliasProtect(alias: "production", role: .maintainer), team: team)
var c = Chain(key: carol).after(protect)
let carolPromote = c.next(
    Promote(model: model, version: version.id, alias: "production", reason: "not mine to move"), team: team, heads: [demoteB.id])
addView(
    "a writer cannot move a protected alias, and a write dated at its head's clock is no write",
    chainOfValid + [aliceBackdated, addCarol, protect, carolPromote],
    members: [alice.publicKey: "admin", bob.publicKey: "maintainer", carol.publicKey: "writer"],
    production: [demoteB])

// Bob (a maintainer) revokes a device he linked himself; its later event, dated before, counts nowhere.
var b6 = b.after(comment)
let linkOwn = b6.next(DeviceLink(linking: device, to: bob.publicKey, team: team, label: "laptop"), team: team)
var d6 = Chain(key: device).after(linkOwn)
let ownDeviceEvent = d6.next(ExperimentCreate(name: "from the laptop"), team: team)
b6 = b6.after(ownDeviceEvent)
b6.writer.observe(clock: ownDeviceEvent.envelope.clock + (1000 << 16))
let revokeOwn = b6.next(
    MemberRemove(member: device.publicKey, reason: "laptop stolen", chainEnds: [ChainEnd(author: device.publicKey, seq: 1)]), team: team)
let stolenBackdated = d6.next(ExperimentCreate(name: "thief"), team: team)
precondition(stolenBackdated.envelope.clock < revokeOwn.envelope.clock)
addView(
    "a member revokes their own device; what it signs later counts nowhere, even dated earlier",
    chainOfValid + [linkOwn, ownDeviceEvent, revokeOwn, stolenBackdated], members: [alice.publicKey: "admin", bob.publicKey: "maintainer"],
    devices: [device.publicKey: (bob.publicKey, true)], production: [demoteB], held: [stolenBackdated])

// Bob links a key that never consented (one he only learned), or whose consent names another member:
// neither link changes anything, and the key's events count nowhere.
var b8 = b.after(comment)
let linkUnconsented = b8.next(DeviceLink(device: device.publicKey, label: "not mine"), team: team)
let linkForOther = b8.next(DeviceLink(linking: device, to: alice.publicKey, team: team, label: "alice's"), team: team)
var d8 = Chain(key: device).after(linkForOther)
let fromUnlinked = d8.next(ExperimentCreate(name: "from a key nobody linked"), team: team)
addView(
    "a device link without the device key's consent to this member changes nothing",
    chainOfValid + [linkUnconsented, linkForOther, fromUnlinked], members: [alice.publicKey: "admin", bob.publicKey: "maintainer"],
    production: [demoteB], held: [linkUnconsented, linkForOther, fromUnlinked])

// Alice archives version 1; Bob then points production at it again: a promotion ordered after its
// version's archival is no write of the alias register (SPEC 9.2), though it counts.
var a9 = a.after(bobsLast)
let archiveV1 = a9.next(VersionArchive(model: model, version: version.id, reason: "trained on leaked labels"), team: team)
var b10 = b.after(archiveV1)
let promoteArchived = b10.next(Promote(model: model, version: version.id, alias: "production", reason: "once more"), team: team, heads: [demoteB.id])
addView(
    "a promotion after its version's archival moves nothing", chainOfValid + [archiveV1, promoteArchived],
    members: [alice.publicKey: "admin", bob.publicKey: "maintainer"], production: [demoteB])

// Bob (a maintainer) announces a relay log key: only admins may, so it counts nowhere.
var b9 = b.after(comment)
let bobAnnounces = b9.next(RelayAnnounce(key: announcedKey), team: team)
addView(
    "a relay announcement by a maintainer counts nowhere", chainOfValid + [bobAnnounces],
    members: [alice.publicKey: "admin", bob.publicKey: "maintainer"], production: [demoteB], held: [bobAnnounces])

// Bob's member key is rotated to a new one: a forged consent changes nothing, Bob's consent does.
let consent = bob.sign(KeyRotation.message(team: team, old: bob.publicKey, new: bobNew.publicKey))
let forgedConsent = alice.sign(KeyRotation.message(team: team, old: bob.publicKey, new: bobNew.publicKey))
var a7 = a.after(bobsLast)
a7.writer.observe(clock: bobsLast.envelope.clock + (1000 << 16))
let forgedRotation = a7.next(
    MemberAdd(
        member: bobNew.publicKey, role: .maintainer,
        rotation: KeyRotation(replaces: bob.publicKey, consent: forgedConsent, chainEnd: bobsLast.envelope.seq)), team: team)
let rotation = a7.next(
    MemberAdd(
        member: bobNew.publicKey, role: .maintainer,
        rotation: KeyRotation(replaces: bob.publicKey, consent: consent, chainEnd: bobsLast.envelope.seq)), team: team)
var b7 = b
let oldKeyAfter = b7.next(ModelCreate(name: "old key, backdated"), team: team)
precondition(oldKeyAfter.envelope.clock < rotation.envelope.clock)
var n7 = Chain(key: bobNew).after(rotation)
let newKeyEvent = n7.next(IdentityProfile(name: "Bob"), team: team)
addView(
    "a member key rotated with the old key's consent; the old key's later events count nowhere",
    chainOfValid + [forgedRotation, rotation, oldKeyAfter, newKeyEvent],
    members: [alice.publicKey: "admin", bob.publicKey: "removed", bobNew.publicKey: "maintainer"], production: [demoteB],
    held: [forgedRotation, oldKeyAfter])

// Provenance (SPEC 6.14) that breaks its rules makes any body invalid.
let runStartMap = RunStart(experiment: experiment, name: "imported").cbor
let goodProvenance: [String: CBOR] = [
    "system": .text("mlflow"), "source": .text(importSource), "object": .text("run"), "ids": .map(["run_id": .text("abc")]),
]
for (name, provenance) in [
    ("provenance that is not a map", CBOR.text(importSource)),
    ("provenance without a source", .map(goodProvenance.filter { $0.key != "source" })),
    ("provenance with a blank system", .map(goodProvenance.merging(["system": .text(" ")]) { $1 })),
    ("provenance with empty ids", .map(goodProvenance.merging(["ids": .map([:])]) { $1 })),
    ("provenance whose state_at_import is not a bool", .map(goodProvenance.merging(["state_at_import": .text("yes")]) { $1 })),
    ("provenance whose time is not an integer", .map(goodProvenance.merging(["time": .text("2026-01-01")]) { $1 })),
] {
    addBody(name, kind: "run.start", CBOR.map(runStartMap.merging(["imported": provenance]) { $1 }).encoded())
}

// Rotation fields out of place.
addBody(
    "a consent without 'replaces'", kind: "team.member.add",
    [0xa3] + text("role") + text("writer") + text("member") + [0x58, 0x20] + bobNew.publicKey.bytes
        + text("consent") + [0x58, 0x40] + consent)
addBody(
    "a consent of 63 bytes", kind: "team.member.add",
    [0xa4] + text("role") + text("writer") + text("member") + [0x58, 0x20] + bobNew.publicKey.bytes
        + text("consent") + [0x58, 0x3f] + Array(consent.prefix(63)) + text("replaces") + [0x58, 0x20] + bob.publicKey.bytes)
addBody(
    "a key replacing itself", kind: "team.member.add",
    [0xa4] + text("role") + text("writer") + text("member") + [0x58, 0x20] + bob.publicKey.bytes
        + text("consent") + [0x58, 0x40] + consent + text("replaces") + [0x58, 0x20] + bob.publicKey.bytes)

// Promotion requests and approvals (SPEC 6.15): bodies that break their rules.
let protectMap = AliasProtect(alias: "production", role: .maintainer).cbor
for (name, extra) in [
    ("a protection asking for 0 approvals", ["approvals": CBOR.unsigned(0)]), ("a protection asking for 33 approvals", ["approvals": .unsigned(33)]),
    ("'not_requester' without 'approvals'", ["not_requester": .bool(true)]), ("'approvals' that is text", ["approvals": .text("2")]),
] {
    addBody(name, kind: "team.alias.protect", CBOR.map(protectMap.merging(extra) { $1 }).encoded())
}
// Relay announcements (SPEC 6.17): the key must be a verifier key whose key ID matches its name and key.
addBody("a relay announcement whose key is not a verifier key", kind: "relay.announce", CBOR.map(["key": .text("relay.example.org")]).encoded())
addBody(
    "a relay announcement whose key ID does not match", kind: "relay.announce",
    CBOR.map(["key": .text(announcedKey.replacingOccurrences(of: "+\(announcedKey.split(separator: "+")[1])+", with: "+00000000+"))]).encoded())
// Cosignatures (SPEC 6.18): the checkpoint must be a signed note that verifies under the body's key.
for (name, note) in [
    ("a cosignature whose checkpoint another key signed", cosignedCheckpoint.signed(with: alice).encoded),
    ("a cosignature whose checkpoint is not a signed note", cosignedCheckpoint.text),
    (
        "a cosignature of a checkpoint whose size changed after signing",
        cosignedCheckpoint.signed(with: relayLogKey).encoded.replacingOccurrences(of: "\n13\n", with: "\n14\n")
    ),
] {
    addBody(name, kind: "relay.cosign", CBOR.map(["key": .text(announcedKey), "checkpoint": .text(note)]).encoded())
}
let decisionMap = PromotionDecision(request: runStart.id, verdict: .approve, reason: "ok").cbor
for (name, change) in [
    ("a decision that is neither approve nor reject", ["decision": CBOR.text("abstain")]), ("a decision with a blank reason", ["reason": .text(" ")]),
    ("a decision whose request is not an id", ["request": .bytes([1, 2, 3])]),
] {
    addBody(name, kind: "model.promotion.decision", CBOR.map(decisionMap.merging(change) { $1 }).encoded())
}
addBody("a decision without a reason", kind: "model.promotion.decision", CBOR.map(decisionMap.filter { $0.key != "reason" }).encoded())
let requestMap = PromotionRequest(model: model, version: version.id, alias: "production", reason: "r").cbor
addBody("a request without a version", kind: "model.promotion.request", CBOR.map(requestMap.filter { $0.key != "version" }).encoded())
addBody(
    "a request with an empty evidence item", kind: "model.promotion.request",
    CBOR.map(requestMap.merging(["evidence": .array([.text("")])]) { $1 }).encoded())

// Views of requests: Carol (a writer) and Bob (the requester) approve, then Alice: two maintainers' approvals
// move production to the request; a direct promotion by the admin is no write. With not_requester and one
// approval, the requester's approval does not count and a maintainer's rejection blocks the request.
@MainActor func approvalView(_ name: String, notRequester: Bool, rejects: Bool) {
    var a8 = a.after(bobsLast)
    let addCarolWriter = a8.next(MemberAdd(member: carol.publicKey, role: .writer, name: "Carol"), team: team)
    let protect = a8.next(
        AliasProtect(alias: "production", role: .maintainer, approvals: notRequester ? 1 : 2, notRequester: notRequester), team: team)
    let direct = a8.next(Promote(model: model, version: version.id, alias: "production", reason: "skip the queue"), team: team, heads: [demoteB.id])
    var b8 = b.after(protect)
    let request = b8.next(
        PromotionRequest(model: model, version: version.id, alias: "production", reason: "ship v1"), team: team, heads: [demoteB.id])
    var c8 = Chain(key: carol).after(request)
    let carolApproves = c8.next(PromotionDecision(request: request.id, verdict: .approve, reason: "fine by me"), team: team)
    let bobApproves = b8.next(PromotionDecision(request: request.id, verdict: .approve, reason: "my own request"), team: team)
    a8 = a8.after(bobApproves)
    let aliceDecides = a8.next(
        PromotionDecision(request: request.id, verdict: rejects ? .reject : .approve, reason: rejects ? "latency doubled" : "agreed"), team: team)
    addView(
        name, chainOfValid + [addCarolWriter, protect, direct, request, carolApproves, bobApproves, aliceDecides],
        members: [alice.publicKey: "admin", bob.publicKey: "maintainer", carol.publicKey: "writer"],
        production: rejects ? [demoteB] : [request])
}
approvalView(
    "two maintainers' approvals move the alias to the request; a writer's approval and a direct promotion do not", notRequester: false, rejects: false
)
approvalView("the requester's own approval does not count, and a maintainer's rejection blocks the request", notRequester: true, rejects: true)

let document: [String: Any] = [
    "format": "mledger event test vectors, version 1",
    "note":
        "See protocol/SPEC.md. Hex is lowercase; clocks are decimal strings (they exceed 2^53). Invalid cases: the receiver holds the listed valid events (by id), its team is `team` and its wall clock `now_ms`; `error` is the code it must produce ('fork' and 'duplicate' are outcomes, not rejections).",
    "keys": [
        ["name": "alice", "seed": Hex.encode(alice.seed), "public_key": alice.publicKey.hex],
        ["name": "bob", "seed": Hex.encode(bob.seed), "public_key": bob.publicKey.hex],
        ["name": "carol", "seed": Hex.encode(carol.seed), "public_key": carol.publicKey.hex],
        ["name": "device", "seed": Hex.encode(device.seed), "public_key": device.publicKey.hex],
        ["name": "mallory", "seed": Hex.encode(mallory.seed), "public_key": mallory.publicKey.hex],
        ["name": "bob's new key", "seed": Hex.encode(bobNew.seed), "public_key": bobNew.publicKey.hex],
    ],
    "valid": valid.map { describe($0.0, $0.1) },
    "invalid": invalid,
    "views": views,
]
let data = try JSONSerialization.data(withJSONObject: document, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
let out = CommandLine.arguments.dropFirst().first ?? "protocol/vectors/events.json"
try data.write(to: URL(fileURLWithPath: out))
print("wrote \(valid.count) valid, \(invalid.count) invalid and \(views.count) view vectors to \(out)")
// The transparency log's vectors go beside the events' (SPEC 6.17).
let transparencyOut = URL(fileURLWithPath: out).deletingLastPathComponent().appendingPathComponent("transparency.json")
try JSONSerialization.data(withJSONObject: try transparencyVectors(), options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
    .write(to: transparencyOut)
print("wrote the transparency log vectors to \(transparencyOut.path)")
