import Foundation
import LedgerProtocol

/// A blob arriving in pieces (an HTTP upload): each piece is hashed and written to a temporary file as it
/// comes, so an upload of any size costs one piece of memory. `finish` syncs the file and renames it to its
/// hash; a blob never finished (an error, a dropped connection) leaves nothing behind once the intake ends.
public final class BlobIntake {
    public let store: BlobStore
    public let limit: UInt64
    public private(set) var size: UInt64 = 0
    private let temp: URL
    private let handle: FileHandle
    private var hasher = SHA256Stream()
    private var finished = false

    /// `limit`: the most bytes this blob may have; a piece past it fails with `StoreError.blobTooLarge`.
    public init(into store: BlobStore, limit: UInt64) throws(StoreError) {
        self.store = store
        self.limit = limit
        let fm = FileManager.default
        temp = store.directory.appendingPathComponent(".incoming-\(UUID().uuidString)")
        do {
            try fm.createDirectory(at: store.directory, withIntermediateDirectories: true)
        } catch {
            throw .blob("cannot create the blob store at \(store.directory.path): \(error.localizedDescription)")
        }
        guard fm.createFile(atPath: temp.path, contents: nil), let handle = FileHandle(forWritingAtPath: temp.path) else {
            throw .blob("cannot write to the blob store at \(store.directory.path)")
        }
        self.handle = handle
    }

    deinit {
        try? handle.close()
        try? FileManager.default.removeItem(at: temp)
    }

    public func write(_ piece: UnsafeRawBufferPointer) throws(StoreError) {
        size += UInt64(piece.count)
        guard size <= limit else { throw .blobTooLarge(limit: limit) }
        hasher.update(piece)
        do { try handle.write(contentsOf: piece) } catch { throw .blob("cannot write to the blob store: \(error.localizedDescription)") }
    }

    /// Makes the blob durable under its hash; when `expected` is given, only if the bytes hash to it.
    @discardableResult
    public func finish(expected: [UInt8]? = nil) throws(StoreError) -> (sha256: [UInt8], size: UInt64) {
        precondition(!finished, "a blob intake finishes once")
        finished = true
        let hash = hasher.finish()
        if let expected, expected != hash { throw .blobMismatch(expected: expected, actual: hash) }
        do {
            try handle.synchronize()
            try handle.close()
            try BlobStore.place(temp, at: store.url(for: hash))
        } catch {
            throw .blob("cannot store an upload of \(size) bytes: \(error.localizedDescription)")
        }
        return (hash, size)
    }
}
