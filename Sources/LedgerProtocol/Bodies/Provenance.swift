import Foundation

/// Where an imported event's fact came from (SPEC 6.14): the system and source it was read from, the
/// object's identifiers there, and its original author and times as data. The event's author is the
/// importer, who vouches for the copy with their signature; the original author signed nothing.
public struct Provenance: Sendable, Equatable, Hashable, Codable {
    /// The body field that carries it, in a body of any kind.
    public static let field = "imported"

    /// The system imported from, e.g. `mlflow`.
    public var system: String
    /// The tracking server's URL (without credentials) or the store's URI.
    public var source: String
    /// The kind of object there: `experiment`, `run`, `registered_model`, `model_version`, `logged_model`.
    public var object: String
    /// The object's identifiers there, by the source's own field names (`run_id`, `name`, `version`, ...).
    public var ids: [String: String]
    /// The original author there (MLflow's `user_id`, the `mlflow.user` tag).
    public var user: String?
    /// When the object was created there, Unix ms.
    public var time: Int64?
    /// When it last changed there, Unix ms.
    public var updated: Int64?
    /// Other values of the object there that the body has no field for (MLflow: a version's `source`).
    public var data: [String: String]
    /// The event records the state the source held at import (a stage, an alias), not a change made at
    /// the event's time: the source keeps no history of it.
    public var stateAtImport: Bool

    public init(
        system: String, source: String, object: String, ids: [String: String], user: String? = nil, time: Int64? = nil, updated: Int64? = nil,
        data: [String: String] = [:], stateAtImport: Bool = false
    ) {
        self.system = system
        self.source = source
        self.object = object
        self.ids = ids
        self.user = user
        self.time = time
        self.updated = updated
        self.data = data
        self.stateAtImport = stateAtImport
    }

    public var cbor: CBOR {
        var m: [String: CBOR] = [
            "system": .text(system), "source": .text(source), "object": .text(object), "ids": .map(ids.mapValues(CBOR.text)),
        ]
        m.set("user", user.map(CBOR.text))
        m.set("time", time.map(CBOR.int))
        m.set("updated", updated.map(CBOR.int))
        if !data.isEmpty { m["data"] = .map(data.mapValues(CBOR.text)) }
        if stateAtImport { m["state_at_import"] = .bool(true) }
        return .map(m)
    }

    init(_ value: CBOR, _ f: Fields) throws(EventError) {
        guard case .map(let m) = value else { throw f.fail("'\(Self.field)' must be a map") }
        let g = Fields(kind: f.kind, map: m)
        system = try g.meaningfulText("system", maxLength: 64)
        source = try g.meaningfulText("source", maxLength: 2048)
        object = try g.meaningfulText("object", maxLength: 64)
        ids = try g.textMap("ids", maxValueLength: 1024)
        user = try g.optionalText("user")
        time = try g.int("time")
        updated = try g.int("updated")
        data = try g.optionalTextMap("data", maxValueLength: 8192)
        stateAtImport = try g.bool("state_at_import") ?? false
    }

    /// The provenance a body carries, if any; an invalid one makes the whole body invalid.
    static func read(_ f: Fields) throws(EventError) -> Provenance? {
        guard let value = f.optional(field) else { return nil }
        return try Provenance(value, f)
    }

    /// The provenance in an event's body bytes. Most bodies carry none, so the bytes are searched for
    /// the field's encoded key before anything is decoded.
    public static func of(kind: EventKind, body: [UInt8]) throws(EventError) -> Provenance? {
        guard body.containsSequence(encodedKey) else { return nil }
        guard case .map(let map)? = try? CBOR.decode(body) else { return nil }
        return try read(Fields(kind: kind, map: map))
    }

    private static let encodedKey = CBOR.text(field).encoded()
}

/// A body of any kind with the provenance of an import: the body's fields plus `imported`.
public struct Imported<Body: BodyFields>: BodyFields {
    public static var kind: EventKind { Body.kind }
    public var body: Body
    public var provenance: Provenance

    public init(_ body: Body, _ provenance: Provenance) {
        self.body = body
        self.provenance = provenance
    }

    public init(fields f: Fields) throws(EventError) {
        body = try Body(fields: f)
        guard let p = try Provenance.read(f) else { throw f.fail("missing field '\(Provenance.field)'") }
        provenance = p
    }

    public var cbor: [String: CBOR] {
        var m = body.cbor
        m[Provenance.field] = provenance.cbor
        return m
    }
}

extension Array where Element == UInt8 {
    /// Whether `needle` occurs in these bytes (memchr for its first byte: a metric batch is up to 1 MiB).
    func containsSequence(_ needle: [UInt8]) -> Bool {
        guard let first = needle.first else { return true }
        return withUnsafeBufferPointer { hay in
            guard let base = hay.baseAddress, hay.count >= needle.count else { return false }
            var offset = 0
            let last = hay.count - needle.count
            while offset <= last, let hit = memchr(base + offset, Int32(first), last - offset + 1) {
                let at = base.distance(to: hit.assumingMemoryBound(to: UInt8.self))
                if UnsafeBufferPointer(rebasing: hay[at..<(at + needle.count)]).elementsEqual(needle) { return true }
                offset = at + 1
            }
            return false
        }
    }
}
