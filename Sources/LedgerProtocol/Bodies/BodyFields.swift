/// A typed event body: how it reads from and writes to its CBOR map.
public protocol BodyFields: Sendable, Equatable {
    static var kind: EventKind { get }
    init(fields: Fields) throws(EventError)
    var cbor: [String: CBOR] { get }
}

extension BodyFields {
    /// The deterministic CBOR bytes of this body.
    public func encoded() -> [UInt8] { CBOR.map(cbor).encoded() }
}
