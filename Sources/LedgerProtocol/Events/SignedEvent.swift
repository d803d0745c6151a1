/// An event as stored and shipped: the envelope bytes verbatim, the author's signature over them, and
/// the id (BLAKE2b-256 of the envelope bytes). Nothing is ever re-encoded to check a signature.
public struct SignedEvent: Sendable, Hashable {
    public let bytes: [UInt8]
    public let signature: [UInt8]
    public let id: LedgerID
    public let envelope: Envelope

    /// Signs a new envelope.
    public init(signing envelope: Envelope, with key: SigningKey) {
        self = UnsignedEvent(envelope: envelope).signed(with: key)
    }

    fileprivate init(_ unsigned: UnsignedEvent, signature: [UInt8]) {
        self.envelope = unsigned.envelope
        self.bytes = unsigned.bytes
        self.id = unsigned.id
        self.signature = signature
    }

    /// Decodes received or stored bytes. With `verifySignature` false the caller takes on checking
    /// the signature (bulk verification does it in parallel).
    public init(bytes: [UInt8], signature: [UInt8], verifySignature: Bool = true) throws(EventError) {
        let envelope = try Envelope.decode(bytes)
        guard signature.count == 64 else { throw .malformed("signature must be 64 bytes") }
        if verifySignature, !envelope.author.verify(signature: signature, message: bytes) {
            throw .badSignature
        }
        self.bytes = bytes
        self.signature = signature
        self.envelope = envelope
        self.id = Hashing.blake2b256(bytes)
    }

    public func hasValidSignature() -> Bool {
        envelope.author.verify(signature: signature, message: bytes)
    }

    /// The decoded, type-checked body.
    public func body() throws(EventError) -> EventBody {
        try EventBody.decode(kind: envelope.kind, bytes: envelope.body)
    }

    public static func == (a: SignedEvent, b: SignedEvent) -> Bool { a.id == b.id && a.signature == b.signature }
    public func hash(into h: inout Hasher) { h.combine(id) }
}

/// An envelope with its bytes and id, waiting for its author's signature.
public struct UnsignedEvent: Sendable {
    public let envelope: Envelope
    public let bytes: [UInt8]
    public let id: LedgerID

    public init(envelope: Envelope) {
        self.envelope = envelope
        self.bytes = envelope.encoded()
        self.id = Hashing.blake2b256(bytes)
    }

    public func signed(with key: SigningKey) -> SignedEvent {
        precondition(envelope.author == key.publicKey, "an envelope is signed by its own author")
        return SignedEvent(self, signature: key.sign(bytes))
    }
}
