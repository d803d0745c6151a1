/// Starts a run in an experiment. The run id is this event's id.
public struct RunStart: BodyFields {
    public static let kind = EventKind.runStart
    public var experiment: LedgerID
    public var name: String
    public var gitCommit: String?
    public var gitDirty: Bool?
    public var command: String?
    public var host: String?
    /// A hash of the software environment (interpreter, packages), so runs can be grouped by it.
    public var environment: String?
    /// Wall-clock start in Unix milliseconds as the logging code saw it.
    public var startTime: Int64?

    public init(
        experiment: LedgerID, name: String, gitCommit: String? = nil, gitDirty: Bool? = nil,
        command: String? = nil, host: String? = nil, environment: String? = nil, startTime: Int64? = nil
    ) {
        self.experiment = experiment
        self.name = name
        self.gitCommit = gitCommit
        self.gitDirty = gitDirty
        self.command = command
        self.host = host
        self.environment = environment
        self.startTime = startTime
    }

    public init(fields f: Fields) throws(EventError) {
        experiment = try f.id("experiment")
        name = try f.text("name", maxLength: 256, allowEmpty: true)
        gitCommit = try f.optionalText("git_commit", maxLength: 64)
        gitDirty = try f.bool("git_dirty")
        command = try f.optionalText("command", maxLength: 8192)
        host = try f.optionalText("host")
        environment = try f.optionalText("environment")
        startTime = try f.int("start_time")
    }

    public var cbor: [String: CBOR] {
        var m: [String: CBOR] = ["experiment": .bytes(experiment.bytes), "name": .text(name)]
        m.set("git_commit", gitCommit.map(CBOR.text))
        m.set("git_dirty", gitDirty.map(CBOR.bool))
        m.set("command", command.map(CBOR.text))
        m.set("host", host.map(CBOR.text))
        m.set("environment", environment.map(CBOR.text))
        m.set("start_time", startTime.map(CBOR.int))
        return m
    }
}

/// Logs parameters of a run (key to text value).
public struct RunParams: BodyFields {
    public static let kind = EventKind.runParams
    public var run: LedgerID
    public var params: [String: String]
    public init(run: LedgerID, params: [String: String]) {
        self.run = run
        self.params = params.nfcKeys
    }
    public init(fields f: Fields) throws(EventError) {
        run = try f.id("run")
        params = try f.textMap("params", maxValueLength: 6000)
    }
    public var cbor: [String: CBOR] { ["run": .bytes(run.bytes), "params": .map(params.mapValues(CBOR.text))] }
}

/// Sets tags on a run (key to text value).
public struct RunTags: BodyFields {
    public static let kind = EventKind.runTags
    public var run: LedgerID
    public var tags: [String: String]
    /// Keys whose tag is removed (MLflow's delete-tag).
    public var removed: [String]
    public init(run: LedgerID, tags: [String: String], removed: [String] = []) {
        self.run = run
        self.tags = tags.nfcKeys
        self.removed = removed.map(\.nfc)
    }
    public init(fields f: Fields) throws(EventError) {
        run = try f.id("run")
        removed = try f.keyList("removed")
        tags = removed.isEmpty ? try f.textMap("tags", maxValueLength: 8000) : try f.optionalTextMap("tags", maxValueLength: 8000)
    }
    public var cbor: [String: CBOR] {
        var m: [String: CBOR] = ["run": .bytes(run.bytes)]
        if !tags.isEmpty { m["tags"] = .map(tags.mapValues(CBOR.text)) }
        if !removed.isEmpty { m["removed"] = .array(removed.map(CBOR.text)) }
        return m
    }
}

/// A batch of metric points: one signed event for many points, per metric key a packed byte string.
public struct RunMetrics: BodyFields {
    public static let kind = EventKind.runMetrics
    public var run: LedgerID
    public var series: [String: [MetricPoint]]
    public init(run: LedgerID, series: [String: [MetricPoint]]) {
        self.run = run
        self.series = series.nfcKeys
    }
    public init(fields f: Fields) throws(EventError) {
        run = try f.id("run")
        series = try f.series("series")
    }
    public var cbor: [String: CBOR] {
        ["run": .bytes(run.bytes), "series": .map(series.mapValues { .bytes(MetricPoint.pack($0)) })]
    }
}

/// A file attached to a run or a model version, named by a relative path and its SHA-256.
public struct ArtifactFile: Sendable, Equatable, Hashable, Codable {
    public var path: String
    public var sha256: [UInt8]
    public var size: UInt64

    public init(path: String, sha256: [UInt8], size: UInt64) {
        self.path = path
        self.sha256 = sha256
        self.size = size
    }

    /// A path that stays inside the folder it is written to: relative, no `.`/`..` segments, no
    /// backslashes or NUL. Checked on UTF-8 bytes, so combining characters cannot disguise a separator.
    public static func isSafePath(_ path: String) -> Bool {
        let bytes = Array(path.utf8)
        guard !bytes.isEmpty, bytes.count <= 1024, bytes[0] != UInt8(ascii: "/"),
            !bytes.contains(UInt8(ascii: "\\")), !bytes.contains(0)
        else { return false }
        return bytes.split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: false)
            .allSatisfy { !$0.isEmpty && !$0.elementsEqual([0x2e]) && !$0.elementsEqual([0x2e, 0x2e]) }
    }

    var cbor: CBOR {
        .map(["path": .text(path), "sha256": .bytes(sha256), "size": .unsigned(size)])
    }

    static func decode(_ value: CBOR, _ f: Fields) throws(EventError) -> ArtifactFile {
        guard case .map(let m) = value else { throw f.fail("each file must be a map") }
        let g = Fields(kind: f.kind, map: m)
        let path = try g.text("path", maxLength: 1024)
        guard isSafePath(path) else { throw f.fail("artifact path '\(path)' must be relative and stay inside its folder") }
        guard case .bytes(let hash) = try g.required("sha256"), hash.count == 32 else {
            throw f.fail("'sha256' must be 32 bytes")
        }
        guard case .unsigned(let size) = try g.required("size"), size <= UInt64(Int64.max) else {
            throw f.fail("'size' must be a count of bytes below 2^63")
        }
        return ArtifactFile(path: path, sha256: hash, size: size)
    }

    static func decodeList(_ key: String, _ f: Fields) throws(EventError) -> [ArtifactFile] {
        var files = [ArtifactFile]()
        for item in try f.array(key) { files.append(try decode(item, f)) }
        return files
    }

    /// Paths of removed files (MLflow's artifact delete): each safe, as a file's path must be.
    static func decodePaths(_ key: String, _ f: Fields) throws(EventError) -> [String] {
        var paths = [String]()
        for item in try f.array(key) {
            guard case .text(let path) = item, isSafePath(path) else { throw f.fail("each of '\(key)' must be a relative path inside its folder") }
            paths.append(path)
        }
        return paths
    }
}

/// Records artifact files of a run, or removes some; their bytes live in the content-addressed blob store.
public struct RunArtifacts: BodyFields {
    public static let kind = EventKind.runArtifacts
    public var run: LedgerID
    public var files: [ArtifactFile]
    /// Paths no longer among the run's artifacts (the blobs and the events that named them stay).
    public var removed: [String]
    public init(run: LedgerID, files: [ArtifactFile], removed: [String] = []) {
        self.run = run
        self.files = files
        self.removed = removed
    }
    public init(fields f: Fields) throws(EventError) {
        run = try f.id("run")
        files = try ArtifactFile.decodeList("files", f)
        removed = try ArtifactFile.decodePaths("removed", f)
        guard !files.isEmpty || !removed.isEmpty else { throw f.fail("'files' must not be empty") }
    }
    public var cbor: [String: CBOR] {
        var m: [String: CBOR] = ["run": .bytes(run.bytes)]
        if !files.isEmpty { m["files"] = .array(files.map(\.cbor)) }
        if !removed.isEmpty { m["removed"] = .array(removed.map(CBOR.text)) }
        return m
    }
}

/// Ends a run with its status.
public struct RunFinish: BodyFields {
    public static let kind = EventKind.runFinish
    public var run: LedgerID
    public var status: RunStatus
    public var endTime: Int64?
    public var exitCode: Int64?
    public init(run: LedgerID, status: RunStatus, endTime: Int64? = nil, exitCode: Int64? = nil) {
        self.run = run
        self.status = status
        self.endTime = endTime
        self.exitCode = exitCode
    }
    public init(fields f: Fields) throws(EventError) {
        run = try f.id("run")
        guard let s = RunStatus(rawValue: try f.text("status")), s != .running else {
            throw f.fail("'status' must be finished, failed or killed")
        }
        status = s
        endTime = try f.int("end_time")
        exitCode = try f.int("exit_code")
    }
    public var cbor: [String: CBOR] {
        var m: [String: CBOR] = ["run": .bytes(run.bytes), "status": .text(status.rawValue)]
        m.set("end_time", endTime.map(CBOR.int))
        m.set("exit_code", exitCode.map(CBOR.int))
        return m
    }
}
