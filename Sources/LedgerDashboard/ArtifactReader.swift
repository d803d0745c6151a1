import Foundation
import LedgerModel
import LedgerProtocol
import LedgerStore
import LedgerWeb

/// Reads logged files from the blob store for previews: images served whole (hash checked first),
/// confusion matrices parsed, and for a page only a PNG's header. A relay holds a file only once its
/// author has synced it, so a missing file is a note on the page, not an error.
struct ArtifactReader: Sendable {
    let blobs: BlobStore?

    /// The previews of a run's files the dashboard can show, in the run's order, at most a page's worth.
    func previews(_ run: RunView) -> [ArtifactContent] {
        run.artifacts.lazy.compactMap { a in ArtifactPreview.kind(of: a.path).map { (a, $0) } }.prefix(ArtifactPreview.maxPerPage)
            .map { a, kind in ArtifactContent(artifact: a, content: content(a, kind)) }
    }

    private func content(_ artifact: ArtifactView, _ kind: ArtifactPreview.Kind) -> ArtifactContent.Content {
        do {
            switch kind {
            case .png:
                let size = ArtifactPreview.pngSize(try read(artifact, first: 24))
                return size.map { .image(width: $0.width, height: $0.height) } ?? .unavailable("Not a PNG file, though its name ends in .png.")
            case .svg:
                _ = try read(artifact, first: 1)
                return .image(width: nil, height: nil)
            case .confusionMatrix:
                return .matrix(try ConfusionMatrix(json: try whole(artifact, limit: ArtifactPreview.maxMatrixBytes)))
            }
        } catch let e as ConfusionMatrix.ParseError {
            return .unavailable("Not shown as a confusion matrix: \(e.message).")
        } catch {
            return .unavailable("\(error)")
        }
    }

    /// The first `count` bytes of a file; throws when this server does not hold it or it is too large.
    private func read(_ artifact: ArtifactView, first count: Int) throws(ArtifactProblem) -> [UInt8] {
        let url = try location(artifact)
        guard artifact.size <= ArtifactPreview.maxImageBytes else { throw .tooLarge(artifact.size) }
        guard let handle = FileHandle(forReadingAtPath: url.path) else { throw .missing }
        defer { try? handle.close() }
        let data = (try? handle.read(upToCount: count)) ?? nil
        return [UInt8](data ?? Data())
    }

    /// A whole file, read only when it is at most `limit` bytes, and only if its bytes still hash to its name.
    func whole(_ artifact: ArtifactView, limit: UInt64) throws(ArtifactProblem) -> [UInt8] {
        let url = try location(artifact)
        guard artifact.size <= limit else { throw .tooLarge(artifact.size) }
        guard let data = FileManager.default.contents(atPath: url.path) else { throw .missing }
        let bytes = [UInt8](data)
        guard Hex.encode(Hashing.sha256(bytes)) == artifact.sha256 else { throw .damaged }
        return bytes
    }

    private func location(_ artifact: ArtifactView) throws(ArtifactProblem) -> URL {
        guard let blobs, let hash = Hex.decode(artifact.sha256), hash.count == 32 else { throw .missing }
        return blobs.url(for: hash)
    }
}

/// Why a logged file is not previewed, as the page says it.
enum ArtifactProblem: Error, CustomStringConvertible {
    case missing
    case tooLarge(UInt64)
    case damaged

    var description: String {
        switch self {
        case .missing: "This server does not hold the file yet: its author has not synced it here."
        case .tooLarge(let size): "Too large to preview (\(Format.bytes(size)))."
        case .damaged: "The stored file no longer matches its hash; it is not shown."
        }
    }
}
