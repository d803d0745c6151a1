import LedgerModel

/// Which logged files the dashboard shows rather than lists: PNG and SVG images inline, and JSON
/// confusion matrices (a `.json` file whose name contains `confusion`) as heat maps.
public enum ArtifactPreview {
    public enum Kind: Sendable, Equatable {
        case png, svg, confusionMatrix

        /// The type an image is served with; nothing else is served raw.
        public var contentType: String? {
            switch self {
            case .png: "image/png"
            case .svg: "image/svg+xml"
            case .confusionMatrix: nil
            }
        }
    }

    /// Larger files are listed, not previewed.
    public static let maxImageBytes: UInt64 = 16 << 20
    public static let maxMatrixBytes: UInt64 = 4 << 20
    /// Previews per run page; the rest stay in the artifacts table.
    public static let maxPerPage = 12

    public static func kind(of path: String) -> Kind? {
        let name = (path.split(separator: "/").last.map(String.init) ?? path).lowercased()
        if name.hasSuffix(".png") { return .png }
        if name.hasSuffix(".svg") { return .svg }
        if name.hasSuffix(".json"), name.contains("confusion") { return .confusionMatrix }
        return nil
    }

    public static func limit(_ kind: Kind) -> UInt64 { kind == .confusionMatrix ? maxMatrixBytes : maxImageBytes }

    static let pngSignature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]

    /// Width and height from a PNG's header (its first 24 bytes), or nil when it is not a PNG.
    public static func pngSize(_ header: some Collection<UInt8>) -> (width: Int, height: Int)? {
        let bytes = Array(header.prefix(24))
        guard bytes.count == 24, Array(bytes[0..<8]) == pngSignature, bytes[12..<16].elementsEqual("IHDR".utf8) else { return nil }
        func be(_ at: Int) -> Int { bytes[at..<at + 4].reduce(0) { $0 << 8 | Int($1) } }
        let (w, h) = (be(16), be(20))
        return w > 0 && h > 0 ? (w, h) : nil
    }
}

/// What the run page shows for one previewable artifact, read by the dashboard from the blob store.
public struct ArtifactContent: Sendable {
    public enum Content: Sendable {
        case image(width: Int?, height: Int?)
        case matrix(ConfusionMatrix)
        /// Why there is no preview: not on this server, too large, not what its name says.
        case unavailable(String)
    }

    public var artifact: ArtifactView
    public var content: Content

    public init(artifact: ArtifactView, content: Content) {
        self.artifact = artifact
        self.content = content
    }
}
