/// A model logged by a run before (or without) registration: MLflow 3's "logged model". Its id is this
/// event's id; its files, params, tags and status come in `logged_model.update` events.
public struct LoggedModelCreate: BodyFields {
    public static let kind = EventKind.loggedModelCreate
    public var experiment: LedgerID
    public var name: String
    /// The run that produced the model.
    public var run: LedgerID?
    public var modelType: String?
    public var params: [String: String]
    public var tags: [String: String]

    public init(
        experiment: LedgerID, name: String, run: LedgerID? = nil, modelType: String? = nil,
        params: [String: String] = [:], tags: [String: String] = [:]
    ) {
        self.experiment = experiment
        self.name = name.nfc
        self.run = run
        self.modelType = modelType
        self.params = params.nfcKeys
        self.tags = tags.nfcKeys
    }

    public init(fields f: Fields) throws(EventError) {
        experiment = try f.id("experiment")
        name = try f.identifier("name", maxLength: 256)
        run = try f.optionalID("run")
        modelType = try f.optionalText("model_type")
        params = try f.optionalTextMap("params", maxValueLength: 6000)
        tags = try f.optionalTextMap("tags", maxValueLength: 8000)
    }

    public var cbor: [String: CBOR] {
        var m: [String: CBOR] = ["experiment": .bytes(experiment.bytes), "name": .text(name)]
        m.set("run", run.map { .bytes($0.bytes) })
        m.set("model_type", modelType.map(CBOR.text))
        if !params.isEmpty { m["params"] = .map(params.mapValues(CBOR.text)) }
        if !tags.isEmpty { m["tags"] = .map(tags.mapValues(CBOR.text)) }
        return m
    }
}

/// Where a logged model's upload stands.
public enum LoggedModelStatus: String, Sendable, CaseIterable {
    case pending, ready, failed
}

/// Changes a logged model: its status, params, tags (set or removed) and files (content-addressed).
public struct LoggedModelUpdate: BodyFields {
    public static let kind = EventKind.loggedModelUpdate
    public var model: LedgerID
    public var status: LoggedModelStatus?
    public var statusMessage: String?
    public var params: [String: String]
    public var tags: [String: String]
    public var removedTags: [String]
    public var files: [ArtifactFile]
    /// Paths no longer among the model's files.
    public var removedFiles: [String]

    public init(
        model: LedgerID, status: LoggedModelStatus? = nil, statusMessage: String? = nil, params: [String: String] = [:],
        tags: [String: String] = [:], removedTags: [String] = [], files: [ArtifactFile] = [], removedFiles: [String] = []
    ) {
        self.model = model
        self.status = status
        self.statusMessage = statusMessage
        self.params = params.nfcKeys
        self.tags = tags.nfcKeys
        self.removedTags = removedTags.map(\.nfc)
        self.files = files
        self.removedFiles = removedFiles
    }

    public init(fields f: Fields) throws(EventError) {
        model = try f.id("model")
        if let text = try f.optionalText("status") {
            guard let s = LoggedModelStatus(rawValue: text) else { throw f.fail("'status' must be pending, ready or failed") }
            status = s
        }
        statusMessage = try f.optionalText("status_message", maxLength: 4096)
        params = try f.optionalTextMap("params", maxValueLength: 6000)
        tags = try f.optionalTextMap("tags", maxValueLength: 8000)
        removedTags = try f.keyList("removed_tags")
        files = try ArtifactFile.decodeList("files", f)
        removedFiles = try ArtifactFile.decodePaths("removed_files", f)
        guard
            status != nil || statusMessage != nil || !params.isEmpty || !tags.isEmpty || !removedTags.isEmpty || !files.isEmpty
                || !removedFiles.isEmpty
        else {
            throw f.fail("a logged_model.update must change something")
        }
    }

    public var cbor: [String: CBOR] {
        var m: [String: CBOR] = ["model": .bytes(model.bytes)]
        m.set("status", status.map { .text($0.rawValue) })
        m.set("status_message", statusMessage.map(CBOR.text))
        if !params.isEmpty { m["params"] = .map(params.mapValues(CBOR.text)) }
        if !tags.isEmpty { m["tags"] = .map(tags.mapValues(CBOR.text)) }
        if !removedTags.isEmpty { m["removed_tags"] = .array(removedTags.map(CBOR.text)) }
        if !files.isEmpty { m["files"] = .array(files.map(\.cbor)) }
        if !removedFiles.isEmpty { m["removed_files"] = .array(removedFiles.map(CBOR.text)) }
        return m
    }
}

/// A dataset a run read: what MLflow's `log_input` records, so a version's lineage names its data.
public struct DatasetInput: Sendable, Equatable, Hashable, Codable {
    public var name: String
    public var digest: String
    public var sourceType: String
    public var source: String
    public var schema: String?
    public var profile: String?
    /// Input tags, such as `mlflow.data.context` (training, validation, ...).
    public var tags: [String: String]

    public init(
        name: String, digest: String, sourceType: String, source: String, schema: String? = nil,
        profile: String? = nil, tags: [String: String] = [:]
    ) {
        self.name = name.nfc
        self.digest = digest
        self.sourceType = sourceType
        self.source = source
        self.schema = schema
        self.profile = profile
        self.tags = tags.nfcKeys
    }

    var cbor: CBOR {
        var m: [String: CBOR] = [
            "name": .text(name), "digest": .text(digest), "source_type": .text(sourceType), "source": .text(source),
        ]
        m.set("schema", schema.map(CBOR.text))
        m.set("profile", profile.map(CBOR.text))
        if !tags.isEmpty { m["tags"] = .map(tags.mapValues(CBOR.text)) }
        return .map(m)
    }

    static func decode(_ value: CBOR, _ f: Fields) throws(EventError) -> DatasetInput {
        guard case .map(let m) = value else { throw f.fail("each dataset must be a map") }
        let g = Fields(kind: f.kind, map: m)
        return DatasetInput(
            name: try g.identifier("name", maxLength: 256), digest: try g.text("digest", maxLength: 256),
            sourceType: try g.text("source_type", maxLength: 256), source: try g.text("source", maxLength: 65536, allowEmpty: true),
            schema: try g.optionalText("schema", maxLength: 262_144), profile: try g.optionalText("profile", maxLength: 65536),
            tags: try g.optionalTextMap("tags", maxValueLength: 8000))
    }
}

/// What a run read: datasets (`log_input`) and logged models.
public struct RunInputs: BodyFields {
    public static let kind = EventKind.runInputs
    public var run: LedgerID
    public var datasets: [DatasetInput]
    public var models: [LedgerID]

    public init(run: LedgerID, datasets: [DatasetInput], models: [LedgerID] = []) {
        self.run = run
        self.datasets = datasets
        self.models = models
    }

    public init(fields f: Fields) throws(EventError) {
        run = try f.id("run")
        var datasets = [DatasetInput]()
        for item in try f.array("datasets") { datasets.append(try DatasetInput.decode(item, f)) }
        self.datasets = datasets
        models = try f.idList("models")
        guard !datasets.isEmpty || !models.isEmpty else { throw f.fail("a run.inputs must name a dataset or a model") }
    }

    public var cbor: [String: CBOR] {
        var m: [String: CBOR] = ["run": .bytes(run.bytes)]
        if !datasets.isEmpty { m["datasets"] = .array(datasets.map(\.cbor)) }
        if !models.isEmpty { m["models"] = .array(models.map { .bytes($0.bytes) }) }
        return m
    }
}

/// Logged models a run produced, each at an optional step.
public struct RunOutputs: BodyFields {
    public static let kind = EventKind.runOutputs
    public struct Output: Sendable, Equatable, Hashable {
        public var model: LedgerID
        public var step: Int64?
        public init(model: LedgerID, step: Int64? = nil) {
            self.model = model
            self.step = step
        }
    }
    public var run: LedgerID
    public var models: [Output]

    public init(run: LedgerID, models: [Output]) {
        self.run = run
        self.models = models
    }

    public init(fields f: Fields) throws(EventError) {
        run = try f.id("run")
        var models = [Output]()
        for item in try f.array("models") {
            guard case .map(let m) = item else { throw f.fail("each model output must be a map") }
            let g = Fields(kind: f.kind, map: m)
            models.append(Output(model: try g.id("model"), step: try g.int("step")))
        }
        guard !models.isEmpty else { throw f.fail("'models' must not be empty") }
        self.models = models
    }

    public var cbor: [String: CBOR] {
        [
            "run": .bytes(run.bytes),
            "models": .array(
                models.map { o in
                    var m: [String: CBOR] = ["model": .bytes(o.model.bytes)]
                    m.set("step", o.step.map(CBOR.int))
                    return .map(m)
                }),
        ]
    }
}

/// A tombstone: hides an entity (experiment, run, registered model, version, logged model) from the
/// views as MLflow's deletes do, or with `restore` brings it back. The events themselves stay.
public struct EntityDelete: BodyFields {
    public static let kind = EventKind.entityDelete
    public var target: LedgerID
    public var restore: Bool
    public var reason: String?

    public init(target: LedgerID, restore: Bool = false, reason: String? = nil) {
        self.target = target
        self.restore = restore
        self.reason = reason
    }

    public init(fields f: Fields) throws(EventError) {
        target = try f.id("target")
        restore = try f.bool("restore") ?? false
        reason = try f.optionalText("reason", maxLength: 4096)
    }

    public var cbor: [String: CBOR] {
        var m: [String: CBOR] = ["target": .bytes(target.bytes)]
        if restore { m["restore"] = .bool(true) }
        m.set("reason", reason.map(CBOR.text))
        return m
    }
}

extension Fields {
    /// An array of keys (tag names): each text, not empty, at most 250 bytes, in NFC.
    func keyList(_ key: String) throws(EventError) -> [String] {
        var out = [String]()
        for item in try array(key) {
            guard case .text(let s) = item else { throw fail("'\(key)' must hold text") }
            out.append(try nfc(checked(s, key, maxLength: 250, allowEmpty: false), key))
        }
        return out
    }

    /// An array of 32-byte ids.
    func idList(_ key: String) throws(EventError) -> [LedgerID] {
        var out = [LedgerID]()
        for item in try array(key) {
            guard case .bytes(let b) = item, let id = LedgerID(bytes: b) else { throw fail("'\(key)' must hold 32-byte ids") }
            out.append(id)
        }
        return out
    }
}

/// Renames an experiment or a registered model. Its id (derived from the name it was created with) and
/// its history stay; views show the latest name in merge order.
public struct EntityRename: BodyFields {
    public static let kind = EventKind.entityRename
    public var target: LedgerID
    public var name: String
    public var reason: String?

    public init(target: LedgerID, name: String, reason: String? = nil) {
        self.target = target
        self.name = name.nfc
        self.reason = reason
    }

    public init(fields f: Fields) throws(EventError) {
        target = try f.id("target")
        name = try f.identifier("name", maxLength: 256)
        reason = try f.optionalText("reason", maxLength: 4096)
    }

    public var cbor: [String: CBOR] {
        var m: [String: CBOR] = ["target": .bytes(target.bytes), "name": .text(name)]
        m.set("reason", reason.map(CBOR.text))
        return m
    }
}
