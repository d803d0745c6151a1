/// Creates an experiment. Its id is derived from the team and the name (`EntityID.experiment`), so
/// two members who create the same name offline create the same experiment.
public struct ExperimentCreate: BodyFields {
    public static let kind = EventKind.experimentCreate
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

/// Replaces an experiment's description; the envelope's heads name the descriptions it replaces.
public struct ExperimentDescribe: BodyFields {
    public static let kind = EventKind.experimentDescribe
    public var experiment: LedgerID
    public var description: String
    public init(experiment: LedgerID, description: String) {
        self.experiment = experiment
        self.description = description
    }
    public init(fields f: Fields) throws(EventError) {
        experiment = try f.id("experiment")
        description = try f.text("description", maxLength: 8192, allowEmpty: true)
    }
    public var cbor: [String: CBOR] { ["experiment": .bytes(experiment.bytes), "description": .text(description)] }
}

/// Sets one tag on an experiment, or (without a value) removes it.
public struct ExperimentTag: BodyFields {
    public static let kind = EventKind.experimentTag
    public var experiment: LedgerID
    public var key: String
    /// Nil: the tag is removed (MLflow's delete-experiment-tag).
    public var value: String?
    public init(experiment: LedgerID, key: String, value: String?) {
        self.experiment = experiment
        self.key = key.nfc
        self.value = value
    }
    public init(fields f: Fields) throws(EventError) {
        experiment = try f.id("experiment")
        key = try f.nfc(f.text("key", maxLength: 250), "key")
        value = f.optional("value") == nil ? nil : try f.text("value", maxLength: 8000, allowEmpty: true)
    }
    public var cbor: [String: CBOR] {
        var m: [String: CBOR] = ["experiment": .bytes(experiment.bytes), "key": .text(key)]
        m.set("value", value.map(CBOR.text))
        return m
    }
}
