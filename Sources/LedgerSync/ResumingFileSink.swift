import Foundation
import LedgerProtocol
import LedgerStore

/// Writes a streamed body to the end of a file, hashing the bytes already there first and then each
/// piece as it comes: a download that was interrupted continues where the file ends (a `Range` request
/// from `offset`), and the hash covers the whole blob without holding it in memory.
final class ResumingFileSink: BodySink, @unchecked Sendable {
    // Written by one transport at a time, then finished by the caller after the exchange: the lock only
    // makes that hand-over explicit.
    private let lock = NSLock()
    private let handle: FileHandle
    private let file: URL
    private var hasher = SHA256Stream()
    /// How many bytes the file held when the exchange began (where the requested range starts).
    private(set) var offset: UInt64 = 0

    init(continuing file: URL) throws {
        self.file = file
        self.handle = try BlobStore.openForUpdate(file)
        offset = try BlobStore.hashRest(of: handle, into: &hasher)
    }

    /// A whole body (200) where a range was asked for replaces what the file held.
    func begin(status: Int, headers: [String: String]) throws {
        try lock.withLock {
            guard status != 206, offset > 0 else { return }
            try handle.truncate(atOffset: 0)
            hasher = SHA256Stream()
            offset = 0
        }
    }

    func write(_ bytes: UnsafeRawBufferPointer) throws {
        try lock.withLock {
            hasher.update(bytes)
            try handle.write(contentsOf: Data(bytes))
        }
    }

    /// Flushes and closes the file; returns the SHA-256 of all it holds.
    func finish() throws -> [UInt8] {
        try lock.withLock {
            try handle.synchronize()
            try handle.close()
            return hasher.finish()
        }
    }

    /// Keeps what arrived for the next attempt.
    func close() { lock.withLock { try? handle.close() } }

    /// Removes the file: its bytes are not the blob's.
    func discard() {
        close()
        try? FileManager.default.removeItem(at: file)
    }
}
