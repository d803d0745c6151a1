import Foundation
import LedgerProtocol

#if canImport(Glibc)
import Glibc
#endif

/// A blob arriving in pieces (an HTTP upload): each piece is hashed and written to a file as it comes, so
/// an upload of any size costs one piece of memory. `finish` syncs the file and renames it to its hash.
/// A fresh intake writes to a temporary file that is removed if the blob is never finished; a resumable
/// one (`resuming`) writes to the blob's partial file, which an interruption keeps for the next attempt.
public final class BlobIntake {
    public let store: BlobStore
    public let limit: UInt64
    public private(set) var size: UInt64 = 0
    private let temp: URL
    private let handle: FileHandle
    private var hasher = SHA256Stream()
    private var finished = false
    private var placed = false
    /// Whether an unfinished intake leaves its bytes for a resumed upload instead of removing them.
    private let keepsPartial: Bool

    /// `limit`: the most bytes this blob may have; a piece past it fails with `StoreError.blobTooLarge`.
    public convenience init(into store: BlobStore, limit: UInt64) throws(StoreError) {
        let temp = store.directory.appendingPathComponent(".incoming-\(UUID().uuidString)")
        try self.init(store: store, limit: limit, file: temp, keepsPartial: false)
    }

    /// Continues the blob `sha256` at byte `offset`, which must be how many bytes its partial file holds
    /// (0 starts over, dropping any held bytes). The held bytes are hashed again from disk, a piece at a time. Only one intake
    /// holds a partial file at once (an exclusive lock, also across processes sharing the folder).
    public static func resuming(_ sha256: [UInt8], at offset: UInt64, into store: BlobStore, limit: UInt64) throws(StoreError) -> BlobIntake {
        let intake = try BlobIntake(store: store, limit: limit, file: store.partialURL(for: sha256), keepsPartial: true)
        guard flock(intake.handle.fileDescriptor, LOCK_EX | LOCK_NB) == 0 else { throw .blobBusy }
        do {
            if offset == 0 { try intake.handle.truncate(atOffset: 0) }
            intake.size = try BlobStore.hashRest(of: intake.handle, into: &intake.hasher)
        } catch {
            throw .blob("cannot read the partial upload of a blob: \(error.localizedDescription)")
        }
        guard intake.size == offset else { throw .blobOffset(held: intake.size, asked: offset) }
        return intake
    }

    private init(store: BlobStore, limit: UInt64, file: URL, keepsPartial: Bool) throws(StoreError) {
        self.store = store
        self.limit = limit
        self.temp = file
        self.keepsPartial = keepsPartial
        let fm = FileManager.default
        do {
            try fm.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        } catch {
            throw .blob("cannot create the blob store at \(store.directory.path): \(error.localizedDescription)")
        }
        handle = try BlobStore.openForUpdate(file)
    }

    deinit {
        if keepsPartial && !finished {
            try? handle.synchronize()
        } else if !placed {
            try? FileManager.default.removeItem(at: temp)
        }
        try? handle.close()
    }

    public func write(_ piece: UnsafeRawBufferPointer) throws(StoreError) {
        guard size + UInt64(piece.count) <= limit else { throw .blobTooLarge(limit: limit) }
        hasher.update(piece)
        do { try handle.write(contentsOf: piece) } catch { throw .blob("cannot write to the blob store: \(error.localizedDescription)") }
        size += UInt64(piece.count)
    }

    /// Makes the blob durable under its hash; when `expected` is given, only if the bytes hash to it. A
    /// mismatch, or a blob over the limit, removes every byte received, the partial file included.
    @discardableResult
    public func finish(expected: [UInt8]? = nil) throws(StoreError) -> (sha256: [UInt8], size: UInt64) {
        precondition(!finished, "a blob intake finishes once")
        finished = true
        let hash = hasher.finish()
        if let expected, expected != hash { throw .blobMismatch(expected: expected, actual: hash) }
        do {
            try handle.synchronize()
            placed = try BlobStore.place(temp, at: store.url(for: hash))
        } catch {
            throw .blob("cannot store an upload of \(size) bytes: \(error.localizedDescription)")
        }
        return (hash, size)
    }

    /// Gives up on the blob: nothing of it stays, not even a resumable part (a blob over the limit).
    public func discard() { finished = true }
}
