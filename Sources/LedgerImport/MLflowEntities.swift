import LedgerMLflow
import LedgerProtocol

// MLflow's entities as its REST API returns them (protobuf JSON: int64 as numbers or text, floats as
// numbers or "NaN"/"Infinity"), decoded exactly. The local sources (an mlruns/ folder, an SQLite store)
// build the same values, so the importer reads every source alike.

typealias ProtoInt = ProtoNumber<Int64>
typealias ProtoDouble = ProtoNumber<Double>

public struct MLKeyValue: Decodable, Sendable, Equatable {
    public var key: String
    public var value: String
    public init(key: String, value: String) {
        self.key = key
        self.value = value
    }
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        key = try c.decode(String.self, forKey: .key)
        value = try c.decodeIfPresent(String.self, forKey: .value) ?? ""
    }
    enum CodingKeys: String, CodingKey { case key, value }
}

extension [MLKeyValue] {
    /// As a map; a key given twice keeps its last value, as MLflow's stores do.
    var map: [String: String] { Dictionary(map { ($0.key, $0.value) }, uniquingKeysWith: { _, last in last }) }
}

public struct MLExperiment: Decodable, Sendable {
    public var id: String
    public var name: String
    public var lifecycleStage: String?
    public var creationTime: Int64?
    public var lastUpdateTime: Int64?
    public var tags: [MLKeyValue]

    public init(id: String, name: String, lifecycleStage: String?, creationTime: Int64?, lastUpdateTime: Int64?, tags: [MLKeyValue]) {
        self.id = id
        self.name = name
        self.lifecycleStage = lifecycleStage
        self.creationTime = creationTime
        self.lastUpdateTime = lastUpdateTime
        self.tags = tags
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.decode(String.self, forKey: .experimentID)
        name = try c.decode(String.self, forKey: .name)
        lifecycleStage = try c.decodeIfPresent(String.self, forKey: .lifecycleStage)
        creationTime = try c.decodeIfPresent(ProtoInt.self, forKey: .creationTime)?.value
        lastUpdateTime = try c.decodeIfPresent(ProtoInt.self, forKey: .lastUpdateTime)?.value
        tags = try c.decodeIfPresent([MLKeyValue].self, forKey: .tags) ?? []
    }

    enum CodingKeys: String, CodingKey {
        case experimentID = "experiment_id"
        case name
        case lifecycleStage = "lifecycle_stage"
        case creationTime = "creation_time"
        case lastUpdateTime = "last_update_time"
        case tags
    }

    var deleted: Bool { lifecycleStage == "deleted" }
}

public struct MLMetric: Decodable, Sendable {
    public var key: String
    public var point: MetricPoint

    public init(key: String, point: MetricPoint) {
        self.key = key
        self.point = point
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        key = try c.decode(String.self, forKey: .key)
        point = MetricPoint(
            step: try c.decodeIfPresent(ProtoInt.self, forKey: .step)?.value ?? 0,
            timestamp: try c.decodeIfPresent(ProtoInt.self, forKey: .timestamp)?.value ?? 0,
            value: try c.decode(ProtoDouble.self, forKey: .value).value)
    }
    enum CodingKeys: String, CodingKey { case key, value, timestamp, step }
}

public struct MLDatasetInput: Decodable, Sendable {
    public var tags: [MLKeyValue]
    public var name: String
    public var digest: String
    public var sourceType: String
    public var source: String
    public var schema: String?
    public var profile: String?

    public init(
        tags: [MLKeyValue], name: String, digest: String, sourceType: String, source: String, schema: String?, profile: String?
    ) {
        self.tags = tags
        self.name = name
        self.digest = digest
        self.sourceType = sourceType
        self.source = source
        self.schema = schema
        self.profile = profile
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        tags = try c.decodeIfPresent([MLKeyValue].self, forKey: .tags) ?? []
        let d = try c.nestedContainer(keyedBy: DatasetKeys.self, forKey: .dataset)
        name = try d.decode(String.self, forKey: .name)
        digest = try d.decode(String.self, forKey: .digest)
        sourceType = try d.decodeIfPresent(String.self, forKey: .sourceType) ?? ""
        source = try d.decodeIfPresent(String.self, forKey: .source) ?? ""
        schema = try d.decodeIfPresent(String.self, forKey: .schema)
        profile = try d.decodeIfPresent(String.self, forKey: .profile)
    }
    enum CodingKeys: String, CodingKey { case tags, dataset }
    enum DatasetKeys: String, CodingKey {
        case name, digest
        case sourceType = "source_type"
        case source, schema, profile
    }
}

public struct MLRun: Decodable, Sendable {
    public var id: String
    public var experimentID: String
    public var name: String
    public var userID: String?
    public var status: String
    public var startTime: Int64?
    public var endTime: Int64?
    public var lifecycleStage: String?
    public var artifactURI: String?
    /// The latest point of each metric (search and get return no more).
    public var latestMetrics: [MLMetric]
    public var params: [MLKeyValue]
    public var tags: [MLKeyValue]
    public var datasets: [MLDatasetInput]
    /// MLflow 3 logged models the run produced: model id and step.
    public var modelOutputs: [(model: String, step: Int64?)]
    /// MLflow 3 logged models the run read.
    public var modelInputs: [String]

    public init(
        id: String, experimentID: String, name: String, userID: String?, status: String, startTime: Int64?, endTime: Int64?,
        lifecycleStage: String?, artifactURI: String?, latestMetrics: [MLMetric], params: [MLKeyValue], tags: [MLKeyValue],
        datasets: [MLDatasetInput], modelOutputs: [(model: String, step: Int64?)] = [], modelInputs: [String] = []
    ) {
        self.id = id
        self.experimentID = experimentID
        self.name = name
        self.userID = userID
        self.status = status
        self.startTime = startTime
        self.endTime = endTime
        self.lifecycleStage = lifecycleStage
        self.artifactURI = artifactURI
        self.latestMetrics = latestMetrics
        self.params = params
        self.tags = tags
        self.datasets = datasets
        self.modelOutputs = modelOutputs
        self.modelInputs = modelInputs
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let info = try c.nestedContainer(keyedBy: InfoKeys.self, forKey: .info)
        id = try info.decodeIfPresent(String.self, forKey: .runID) ?? info.decode(String.self, forKey: .runUUID)
        experimentID = try info.decode(String.self, forKey: .experimentID)
        name = try info.decodeIfPresent(String.self, forKey: .runName) ?? ""
        userID = try info.decodeIfPresent(String.self, forKey: .userID)
        status = try info.decodeIfPresent(String.self, forKey: .status) ?? "RUNNING"
        startTime = try info.decodeIfPresent(ProtoInt.self, forKey: .startTime)?.value
        endTime = try info.decodeIfPresent(ProtoInt.self, forKey: .endTime)?.value
        lifecycleStage = try info.decodeIfPresent(String.self, forKey: .lifecycleStage)
        artifactURI = try info.decodeIfPresent(String.self, forKey: .artifactURI)
        let data = try? c.nestedContainer(keyedBy: DataKeys.self, forKey: .data)
        latestMetrics = try data?.decodeIfPresent([MLMetric].self, forKey: .metrics) ?? []
        params = try data?.decodeIfPresent([MLKeyValue].self, forKey: .params) ?? []
        tags = try data?.decodeIfPresent([MLKeyValue].self, forKey: .tags) ?? []
        let inputs = try? c.nestedContainer(keyedBy: InputKeys.self, forKey: .inputs)
        datasets = try inputs?.decodeIfPresent([MLDatasetInput].self, forKey: .datasetInputs) ?? []
        modelInputs = try inputs?.decodeIfPresent([ModelRef].self, forKey: .modelInputs)?.map(\.modelID) ?? []
        let outputs = try? c.nestedContainer(keyedBy: OutputKeys.self, forKey: .outputs)
        modelOutputs = try outputs?.decodeIfPresent([ModelRef].self, forKey: .modelOutputs)?.map { ($0.modelID, $0.step?.value) } ?? []
    }

    struct ModelRef: Decodable {
        var modelID: String
        var step: ProtoInt?
        enum CodingKeys: String, CodingKey {
            case modelID = "model_id"
            case step
        }
    }
    enum CodingKeys: String, CodingKey { case info, data, inputs, outputs }
    enum InfoKeys: String, CodingKey {
        case runID = "run_id"
        case runUUID = "run_uuid"
        case experimentID = "experiment_id"
        case runName = "run_name"
        case userID = "user_id"
        case status
        case startTime = "start_time"
        case endTime = "end_time"
        case lifecycleStage = "lifecycle_stage"
        case artifactURI = "artifact_uri"
    }
    enum DataKeys: String, CodingKey { case metrics, params, tags }
    enum InputKeys: String, CodingKey {
        case datasetInputs = "dataset_inputs"
        case modelInputs = "model_inputs"
    }
    enum OutputKeys: String, CodingKey { case modelOutputs = "model_outputs" }

    var deleted: Bool { lifecycleStage == "deleted" }
    /// The original author: MLflow's `user_id`, else the `mlflow.user` tag.
    var user: String? { userID.nonEmpty ?? tags.first { $0.key == "mlflow.user" }?.value }
}

/// One entry of an artifact listing: a file with its size, or a folder.
public struct MLArtifact: Decodable, Sendable {
    public var path: String
    public var isDir: Bool
    public var size: Int64?

    public init(path: String, isDir: Bool, size: Int64?) {
        self.path = path
        self.isDir = isDir
        self.size = size
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        path = try c.decode(String.self, forKey: .path)
        isDir = try c.decodeIfPresent(Bool.self, forKey: .isDir) ?? false
        size = try c.decodeIfPresent(ProtoInt.self, forKey: .fileSize)?.value
    }
    enum CodingKeys: String, CodingKey {
        case path
        case isDir = "is_dir"
        case fileSize = "file_size"
    }
}

public struct MLAlias: Decodable, Sendable {
    public var alias: String
    public var version: String
    public init(alias: String, version: String) {
        self.alias = alias
        self.version = version
    }
}

public struct MLRegisteredModel: Decodable, Sendable {
    public var name: String
    public var description: String?
    public var creationTimestamp: Int64?
    public var lastUpdatedTimestamp: Int64?
    public var tags: [MLKeyValue]
    public var aliases: [MLAlias]

    public init(
        name: String, description: String?, creationTimestamp: Int64?, lastUpdatedTimestamp: Int64?, tags: [MLKeyValue], aliases: [MLAlias]
    ) {
        self.name = name
        self.description = description
        self.creationTimestamp = creationTimestamp
        self.lastUpdatedTimestamp = lastUpdatedTimestamp
        self.tags = tags
        self.aliases = aliases
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        name = try c.decode(String.self, forKey: .name)
        description = try c.decodeIfPresent(String.self, forKey: .description)
        creationTimestamp = try c.decodeIfPresent(ProtoInt.self, forKey: .creationTimestamp)?.value
        lastUpdatedTimestamp = try c.decodeIfPresent(ProtoInt.self, forKey: .lastUpdatedTimestamp)?.value
        tags = try c.decodeIfPresent([MLKeyValue].self, forKey: .tags) ?? []
        aliases = try c.decodeIfPresent([MLAlias].self, forKey: .aliases) ?? []
    }
    enum CodingKeys: String, CodingKey {
        case name, description
        case creationTimestamp = "creation_timestamp"
        case lastUpdatedTimestamp = "last_updated_timestamp"
        case tags, aliases
    }
}

public struct MLModelVersion: Decodable, Sendable {
    public var name: String
    public var version: String
    public var creationTimestamp: Int64?
    public var lastUpdatedTimestamp: Int64?
    public var userID: String?
    public var currentStage: String
    public var description: String?
    public var source: String?
    public var runID: String?
    public var modelID: String?
    public var tags: [MLKeyValue]

    public init(
        name: String, version: String, creationTimestamp: Int64?, lastUpdatedTimestamp: Int64?, userID: String?, currentStage: String,
        description: String?, source: String?, runID: String?, modelID: String?, tags: [MLKeyValue]
    ) {
        self.name = name
        self.version = version
        self.creationTimestamp = creationTimestamp
        self.lastUpdatedTimestamp = lastUpdatedTimestamp
        self.userID = userID
        self.currentStage = currentStage
        self.description = description
        self.source = source
        self.runID = runID
        self.modelID = modelID
        self.tags = tags
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        name = try c.decode(String.self, forKey: .name)
        version = try c.decode(String.self, forKey: .version)
        creationTimestamp = try c.decodeIfPresent(ProtoInt.self, forKey: .creationTimestamp)?.value
        lastUpdatedTimestamp = try c.decodeIfPresent(ProtoInt.self, forKey: .lastUpdatedTimestamp)?.value
        userID = try c.decodeIfPresent(String.self, forKey: .userID)
        currentStage = try c.decodeIfPresent(String.self, forKey: .currentStage) ?? "None"
        description = try c.decodeIfPresent(String.self, forKey: .description)
        source = try c.decodeIfPresent(String.self, forKey: .source)
        runID = try c.decodeIfPresent(String.self, forKey: .runID)
        modelID = try c.decodeIfPresent(String.self, forKey: .modelID)
        tags = try c.decodeIfPresent([MLKeyValue].self, forKey: .tags) ?? []
    }
    enum CodingKeys: String, CodingKey {
        case name, version
        case creationTimestamp = "creation_timestamp"
        case lastUpdatedTimestamp = "last_updated_timestamp"
        case userID = "user_id"
        case currentStage = "current_stage"
        case description, source
        case runID = "run_id"
        case modelID = "model_id"
        case tags
    }

    var number: Int64 { Int64(version) ?? 0 }

    /// The logged model it was registered from: `model_id`, or a `models:/m-...` source.
    var loggedModelID: String? {
        if let modelID, !modelID.isEmpty { return modelID }
        guard let source, source.hasPrefix("models:/m-") else { return nil }
        return String(source.dropFirst("models:/".count).prefix { $0 != "/" })
    }
}

/// An MLflow 3 logged model.
public struct MLLoggedModel: Decodable, Sendable {
    public var id: String
    public var experimentID: String
    public var name: String
    public var sourceRunID: String?
    public var modelType: String?
    public var status: String?
    public var statusMessage: String?
    public var creationTimestamp: Int64?
    public var lastUpdatedTimestamp: Int64?
    public var tags: [MLKeyValue]
    public var params: [MLKeyValue]

    public init(
        id: String, experimentID: String, name: String, sourceRunID: String?, modelType: String?, status: String?, statusMessage: String?,
        creationTimestamp: Int64?, lastUpdatedTimestamp: Int64?, tags: [MLKeyValue], params: [MLKeyValue]
    ) {
        self.id = id
        self.experimentID = experimentID
        self.name = name
        self.sourceRunID = sourceRunID
        self.modelType = modelType
        self.status = status
        self.statusMessage = statusMessage
        self.creationTimestamp = creationTimestamp
        self.lastUpdatedTimestamp = lastUpdatedTimestamp
        self.tags = tags
        self.params = params
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let info = try c.nestedContainer(keyedBy: InfoKeys.self, forKey: .info)
        id = try info.decode(String.self, forKey: .modelID)
        experimentID = try info.decode(String.self, forKey: .experimentID)
        name = try info.decode(String.self, forKey: .name)
        sourceRunID = try info.decodeIfPresent(String.self, forKey: .sourceRunID)
        modelType = try info.decodeIfPresent(String.self, forKey: .modelType)
        status = try info.decodeIfPresent(String.self, forKey: .status)
        statusMessage = try info.decodeIfPresent(String.self, forKey: .statusMessage)
        creationTimestamp = try info.decodeIfPresent(ProtoInt.self, forKey: .creationTimestamp)?.value
        lastUpdatedTimestamp = try info.decodeIfPresent(ProtoInt.self, forKey: .lastUpdatedTimestamp)?.value
        tags = try info.decodeIfPresent([MLKeyValue].self, forKey: .tags) ?? []
        let data = try? c.nestedContainer(keyedBy: DataKeys.self, forKey: .data)
        params = try data?.decodeIfPresent([MLKeyValue].self, forKey: .params) ?? []
    }
    enum CodingKeys: String, CodingKey { case info, data }
    enum InfoKeys: String, CodingKey {
        case modelID = "model_id"
        case experimentID = "experiment_id"
        case name
        case sourceRunID = "source_run_id"
        case modelType = "model_type"
        case status
        case statusMessage = "status_message"
        case creationTimestamp = "creation_timestamp_ms"
        case lastUpdatedTimestamp = "last_updated_timestamp_ms"
        case tags
    }
    enum DataKeys: String, CodingKey { case params }
}
