import Foundation
import LedgerProtocol

#if canImport(Glibc)
import Glibc
#endif

/// Content-addressed files: each blob is stored once under its SHA-256, in `ab/cdef…` fan-out folders.
/// Writes go to a temporary file first and are renamed into place, so a crash never leaves a partial blob
/// under a real name.
public struct BlobStore: Sendable {
    public let directory: URL

    public init(directory: URL) { self.directory = directory }

    public func url(for sha256: [UInt8]) -> URL {
        let hex = Hex.encode(sha256)
        return directory.appendingPathComponent(String(hex.prefix(2))).appendingPathComponent(String(hex.dropFirst(2)))
    }

    /// Where the received part of an interrupted transfer of a blob waits to be continued: named by the
    /// blob's hash, so the next attempt finds it, and outside the fan-out folders, so it is never a blob.
    public func partialURL(for sha256: [UInt8]) -> URL {
        directory.appendingPathComponent(".partial").appendingPathComponent(Hex.encode(sha256))
    }

    /// How many bytes of an interrupted transfer of a blob are held (0 when none).
    public func partialSize(_ sha256: [UInt8]) -> UInt64 { Self.size(of: partialURL(for: sha256)) }

    /// A file's size in bytes, 0 when it does not exist.
    public static func size(of file: URL) -> UInt64 {
        ((try? FileManager.default.attributesOfItem(atPath: file.path)[.size]) as? NSNumber)?.uint64Value ?? 0
    }

    /// Opens `file` for reading and writing, made (owner-only) if missing, its bytes kept: where a
    /// transfer that was cut continues.
    public static func openForUpdate(_ file: URL) throws(StoreError) -> FileHandle {
        let fd = open(file.path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw .blob("cannot write \(file.path): \(String(cString: strerror(errno)))") }
        return FileHandle(fileDescriptor: fd, closeOnDealloc: true)
    }

    public func contains(_ sha256: [UInt8]) -> Bool { FileManager.default.fileExists(atPath: url(for: sha256).path) }

    /// Whether the stored blob still hashes to its name (read in 1 MiB pieces; false if it is missing).
    public func isIntact(_ sha256: [UInt8]) -> Bool {
        guard let input = FileHandle(forReadingAtPath: url(for: sha256).path) else { return false }
        defer { try? input.close() }
        var hasher = SHA256Stream()
        guard (try? Self.hashRest(of: input, into: &hasher)) != nil else { return false }
        return hasher.finish() == sha256
    }

    /// Hashes a file from its current position to its end, 1 MiB at a time; returns how many bytes it read.
    /// (How a check or a resumed transfer reads what is already on disk without holding it.)
    @discardableResult
    public static func hashRest(of input: FileHandle, into hasher: inout SHA256Stream) throws -> UInt64 {
        var count: UInt64 = 0
        while let chunk = try input.read(upToCount: 1 << 20), !chunk.isEmpty {
            chunk.withUnsafeBytes { hasher.update($0) }
            count += UInt64(chunk.count)
        }
        return count
    }

    /// Copies a file into the store, hashing as it streams; returns its hash and size.
    public func put(file source: URL) throws(StoreError) -> (sha256: [UInt8], size: UInt64) {
        let fm = FileManager.default
        do {
            try fm.createDirectory(at: directory, withIntermediateDirectories: true)
            let temp = directory.appendingPathComponent(".incoming-\(UUID().uuidString)")
            guard fm.createFile(atPath: temp.path, contents: nil) else { throw StoreError.blob("cannot write \(temp.path)") }
            defer { try? fm.removeItem(at: temp) }
            let input = try FileHandle(forReadingFrom: source)
            defer { try? input.close() }
            let output = try FileHandle(forWritingTo: temp)
            var hasher = SHA256Stream()
            var size: UInt64 = 0
            while let chunk = try input.read(upToCount: 1 << 20), !chunk.isEmpty {
                chunk.withUnsafeBytes { hasher.update($0) }
                try output.write(contentsOf: chunk)
                size += UInt64(chunk.count)
            }
            try output.synchronize()
            try output.close()
            let hash = hasher.finish()
            let target = url(for: hash)
            try Self.place(temp, at: target)
            return (hash, size)
        } catch {
            throw error as? StoreError ?? .blob("cannot store \(source.path): \(error.localizedDescription)")
        }
    }

    /// Stores bytes received whole (an upload): written to a temporary file, then renamed to their hash.
    public func put(bytes: [UInt8]) throws(StoreError) -> (sha256: [UInt8], size: UInt64) {
        let hash = Hashing.sha256(bytes)
        guard !contains(hash) else { return (hash, UInt64(bytes.count)) }
        let temp = directory.appendingPathComponent(".incoming-\(UUID().uuidString)")
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: temp) }
            guard FileManager.default.createFile(atPath: temp.path, contents: nil) else { throw StoreError.blob("cannot write \(temp.path)") }
            let handle = try FileHandle(forWritingTo: temp)
            try handle.write(contentsOf: bytes)
            try handle.synchronize()
            try handle.close()
            try Self.place(temp, at: url(for: hash))
        } catch {
            throw .blob("cannot store an upload of \(bytes.count) bytes: \(error.localizedDescription)")
        }
        return (hash, UInt64(bytes.count))
    }

    /// Moves a verified temporary file to its content address. Another writer may have placed the same
    /// bytes there first; that is success, not an error. Returns whether `temp` was moved (else it is left).
    @discardableResult
    public static func place(_ temp: URL, at target: URL) throws -> Bool {
        let fm = FileManager.default
        guard !fm.fileExists(atPath: target.path) else { return false }
        try fm.createDirectory(at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
        do { try fm.moveItem(at: temp, to: target) } catch  where fm.fileExists(atPath: target.path) { return false }
        return true
    }

    /// Writes a blob to `destination`, checking that its bytes still hash to `sha256`. Streams in 1 MiB
    /// pieces to a temporary file beside `destination`, renamed into place only once the hash matches.
    public func copy(_ sha256: [UInt8], to destination: URL) throws(StoreError) {
        let name = Hex.encode(sha256).prefix(12)
        guard let input = FileHandle(forReadingAtPath: url(for: sha256).path) else {
            throw .blob("blob \(name) is not in this workspace's store")
        }
        defer { try? input.close() }
        let fm = FileManager.default
        let temp = destination.deletingLastPathComponent().appendingPathComponent(".\(destination.lastPathComponent)-\(UUID().uuidString)")
        defer { try? fm.removeItem(at: temp) }
        var hasher = SHA256Stream()
        do {
            try fm.createDirectory(at: destination.deletingLastPathComponent(), withIntermediateDirectories: true)
            guard fm.createFile(atPath: temp.path, contents: nil) else { throw StoreError.blob("cannot write \(temp.path)") }
            let output = try FileHandle(forWritingTo: temp)
            defer { try? output.close() }
            while let chunk = try input.read(upToCount: 1 << 20), !chunk.isEmpty {
                chunk.withUnsafeBytes { hasher.update($0) }
                try output.write(contentsOf: chunk)
            }
        } catch {
            throw .blob("cannot write \(destination.path): \(error.localizedDescription)")
        }
        guard hasher.finish() == sha256 else {
            throw .blob("blob \(name) is corrupt: its bytes no longer match its hash")
        }
        guard rename(temp.path, destination.path) == 0 else {
            throw .blob("cannot write \(destination.path): \(String(cString: strerror(errno)))")
        }
    }
}
