/// The binary body of pushes and pulls (`application/x-mledger-events`): events back to back, each as
/// its envelope length (uint32, big-endian), the envelope bytes, and the 64-byte signature. Events are
/// shipped exactly as signed; nothing is re-encoded.
public enum EventFrames {
    /// The bytes an event takes in a frame: length, envelope, signature.
    public static func frameSize(of event: SignedEvent) -> Int { 4 + event.bytes.count + 64 }

    public static let contentType = "application/x-mledger-events"

    public static func encode<S: Sequence>(_ events: S) -> [UInt8] where S.Element == (bytes: [UInt8], signature: [UInt8]) {
        var out = [UInt8]()
        for e in events { append(bytes: e.bytes, signature: e.signature, to: &out) }
        return out
    }

    /// Appends one frame: stores keep envelopes and signatures in their own buffer types.
    public static func append<B: Collection, S: Collection>(bytes: B, signature: S, to out: inout [UInt8])
    where B.Element == UInt8, S.Element == UInt8 {
        out.appendBigEndian(UInt32(bytes.count))
        out.append(contentsOf: bytes)
        out.append(contentsOf: signature)
    }

    public static func encode(_ events: [SignedEvent]) -> [UInt8] {
        encode(events.lazy.map { (bytes: $0.bytes, signature: $0.signature) })
    }

    /// Splits a body into (envelope, signature) pairs without checking them; nil when framing is broken.
    public static func split(_ body: [UInt8], maxEvents: Int = .max) throws(EventError) -> [(bytes: [UInt8], signature: [UInt8])] {
        var reader = ByteReader(body)
        var out = [(bytes: [UInt8], signature: [UInt8])]()
        while reader.remaining > 0 {
            guard out.count < maxEvents else { throw .malformed("more than \(maxEvents) events in one request") }
            guard let length = reader.u32() else { throw .malformed("frame \(out.count + 1) has a truncated length") }
            guard Int(length) <= Envelope.maxSize else { throw .oversized(size: Int(length), limit: Envelope.maxSize) }
            guard let bytes = reader.take(Int(length)), let signature = reader.take(64) else {
                throw .malformed("frame \(out.count + 1) is truncated")
            }
            out.append((Array(bytes), Array(signature)))
        }
        return out
    }
}
