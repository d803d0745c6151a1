/// Creates a registered model. Its id is derived from the team and the name (`EntityID.model`).
public struct ModelCreate: BodyFields {
    public static let kind = EventKind.modelCreate
    public var name: String
    public var description: String?
    public init(name: String, description: String? = nil) {
        self.name = name.nfc
        self.description = description
    }
    public init(fields f: Fields) throws(EventError) {
        name = try f.identifier("name", maxLength: 256)
        description = try f.optionalText("description", maxLength: 8192)
    }
    public var cbor: [String: CBOR] {
        var m: [String: CBOR] = ["name": .text(name)]
        m.set("description", description.map(CBOR.text))
        return m
    }
}

/// Replaces a model's description; the envelope's heads name the descriptions it replaces.
public struct ModelDescribe: BodyFields {
    public static let kind = EventKind.modelDescribe
    public var model: LedgerID
    /// When set, the description is this version's (of `model`), not the model's.
    public var version: LedgerID?
    public var description: String
    public init(model: LedgerID, version: LedgerID? = nil, description: String) {
        self.model = model
        self.version = version
        self.description = description
    }
    public init(fields f: Fields) throws(EventError) {
        model = try f.id("model")
        version = try f.optionalID("version")
        description = try f.text("description", maxLength: 8192, allowEmpty: true)
    }
    public var cbor: [String: CBOR] {
        var m: [String: CBOR] = ["model": .bytes(model.bytes), "description": .text(description)]
        m.set("version", version.map { .bytes($0.bytes) })
        return m
    }
}

/// A new model version. Its id is this event's id and never changes; `claimedNumber` is the number
/// its author saw when creating it offline, which the team view may have to renumber (visibly).
public struct VersionCreate: BodyFields {
    public static let kind = EventKind.versionCreate
    public var model: LedgerID
    public var run: LedgerID?
    public var files: [ArtifactFile]
    public var claimedNumber: UInt64
    public var description: String?
    /// The logged model (`logged_model.create` event id) the version was registered from, if any.
    public var loggedModel: LedgerID?
    public init(
        model: LedgerID, run: LedgerID?, files: [ArtifactFile], claimedNumber: UInt64, description: String? = nil,
        loggedModel: LedgerID? = nil
    ) {
        self.model = model
        self.run = run
        self.files = files
        self.claimedNumber = claimedNumber
        self.description = description
        self.loggedModel = loggedModel
    }
    public init(fields f: Fields) throws(EventError) {
        model = try f.id("model")
        run = try f.optionalID("run")
        files = try ArtifactFile.decodeList("files", f)
        guard let n = try f.int("claimed_number"), n >= 1 else { throw f.fail("'claimed_number' must be 1 or more") }
        claimedNumber = UInt64(n)
        description = try f.optionalText("description", maxLength: 8192)
        loggedModel = try f.optionalID("logged_model")
    }
    public var cbor: [String: CBOR] {
        var m: [String: CBOR] = [
            "model": .bytes(model.bytes), "files": .array(files.map(\.cbor)),
            "claimed_number": .unsigned(claimedNumber),
        ]
        m.set("run", run.map { .bytes($0.bytes) })
        m.set("description", description.map(CBOR.text))
        m.set("logged_model", loggedModel.map { .bytes($0.bytes) })
        return m
    }
}

/// Archives a version: it stays in the history but can no longer be promoted.
public struct VersionArchive: BodyFields {
    public static let kind = EventKind.versionArchive
    public var model: LedgerID
    public var version: LedgerID
    public var reason: String
    public init(model: LedgerID, version: LedgerID, reason: String) {
        self.model = model
        self.version = version
        self.reason = reason
    }
    public init(fields f: Fields) throws(EventError) {
        model = try f.id("model")
        version = try f.id("version")
        reason = try f.meaningfulText("reason", maxLength: 4096)
    }
    public var cbor: [String: CBOR] {
        ["model": .bytes(model.bytes), "version": .bytes(version.bytes), "reason": .text(reason)]
    }
}

/// Points an alias (or stage) of a model at a version. The reason is required; evidence is optional
/// (run ids, metric values). The envelope's heads name the alias events this one replaces.
public struct Promote: BodyFields {
    public static let kind = EventKind.promote
    public var model: LedgerID
    public var version: LedgerID
    public var alias: String
    public var reason: String
    public var evidence: [String]
    public init(model: LedgerID, version: LedgerID, alias: String, reason: String, evidence: [String] = []) {
        self.model = model
        self.version = version
        self.alias = alias.nfc
        self.reason = reason
        self.evidence = evidence
    }
    public init(fields f: Fields) throws(EventError) {
        model = try f.id("model")
        version = try f.id("version")
        alias = try f.identifier("alias", maxLength: 64)
        reason = try f.meaningfulText("reason", maxLength: 4096)
        evidence = try Self.textList("evidence", f)
    }
    public var cbor: [String: CBOR] {
        var m: [String: CBOR] = [
            "model": .bytes(model.bytes), "version": .bytes(version.bytes),
            "alias": .text(alias), "reason": .text(reason),
        ]
        if !evidence.isEmpty { m["evidence"] = .array(evidence.map(CBOR.text)) }
        return m
    }

    static func textList(_ key: String, _ f: Fields) throws(EventError) -> [String] {
        var out = [String]()
        for item in try f.array(key) {
            guard case .text(let s) = item else { throw f.fail("'\(key)' must hold text") }
            out.append(try f.checked(s, key, maxLength: 1024, allowEmpty: false))
        }
        return out
    }
}

/// Removes an alias from a model, with a required reason. The heads name the alias events it replaces.
public struct Demote: BodyFields {
    public static let kind = EventKind.demote
    public var model: LedgerID
    public var alias: String
    public var reason: String
    public init(model: LedgerID, alias: String, reason: String) {
        self.model = model
        self.alias = alias.nfc
        self.reason = reason
    }
    public init(fields f: Fields) throws(EventError) {
        model = try f.id("model")
        alias = try f.identifier("alias", maxLength: 64)
        reason = try f.meaningfulText("reason", maxLength: 4096)
    }
    public var cbor: [String: CBOR] { ["model": .bytes(model.bytes), "alias": .text(alias), "reason": .text(reason)] }
}

/// A comment on any entity (experiment, run, model, version, or a promotion event), or a reply.
public struct CommentAdd: BodyFields {
    public static let kind = EventKind.commentAdd
    public var target: LedgerID
    public var text: String
    public var replyTo: LedgerID?
    public init(target: LedgerID, text: String, replyTo: LedgerID? = nil) {
        self.target = target
        self.text = text
        self.replyTo = replyTo
    }
    public init(fields f: Fields) throws(EventError) {
        target = try f.id("target")
        text = try f.meaningfulText("text", maxLength: 16384)
        replyTo = try f.optionalID("reply_to")
    }
    public var cbor: [String: CBOR] {
        var m: [String: CBOR] = ["target": .bytes(target.bytes), "text": .text(text)]
        m.set("reply_to", replyTo.map { .bytes($0.bytes) })
        return m
    }
}
