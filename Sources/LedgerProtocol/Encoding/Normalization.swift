import Foundation

/// Names that identify things (aliases, model and experiment names, map keys) have one byte form:
/// Unicode NFC. Receivers refuse other forms, and every place that makes an event normalizes first,
/// so SQL (which compares bytes) and Swift (which compares canonical equivalence) agree on every name.
extension String {
    /// This text in Unicode Normalization Form C.
    public var nfc: String { isASCII ? self : precomposedStringWithCanonicalMapping }

    /// Whether the UTF-8 bytes are already those of the NFC form.
    public var isNFC: Bool { isASCII || utf8.elementsEqual(precomposedStringWithCanonicalMapping.utf8) }

    /// ASCII text is its own NFC form: the common case costs no normalization.
    private var isASCII: Bool { utf8.allSatisfy { $0 < 0x80 } }
}

extension Dictionary where Key == String {
    /// The same entries under NFC keys (params, tags, metric keys).
    public var nfcKeys: [String: Value] { Dictionary(map { ($0.key.nfc, $0.value) }, uniquingKeysWith: { first, _ in first }) }
}
