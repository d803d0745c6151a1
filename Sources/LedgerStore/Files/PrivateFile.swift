import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Files that hold secrets (the identity key, `serve.json` with the MLflow endpoint's token, a sign-in
/// page): created with mode 0600 from their first byte and renamed into place, never written first and
/// restricted afterwards, so another user of the machine cannot open one even for a moment.
public enum PrivateFile {
    /// Writes `data` to `url` (replacing it atomically) as a file only its owner may read or write.
    public static func write(_ data: Data, to url: URL) throws(StoreError) {
        let (fd, temp) = try createTemporary(beside: url)
        defer { unlink(temp.path) }
        let written = data.withUnsafeBytes { bytes -> Bool in
            var offset = 0
            while offset < bytes.count {
                let n = Glibc.write(fd, bytes.baseAddress.map { $0 + offset }, bytes.count - offset)
                if n < 0 {
                    if errno == EINTR { continue }
                    return false
                }
                offset += n
            }
            return true
        }
        let synced = written && fsync(fd) == 0
        let reason = String(cString: strerror(errno))
        close(fd)
        guard synced else { throw .privateFile(path: url.path, reason: reason) }
        guard rename(temp.path, url.path) == 0 else { throw .privateFile(path: url.path, reason: String(cString: strerror(errno))) }
    }

    /// A new file beside `url`, open for writing, with mode 0600 from its creation (`O_CREAT | O_EXCL`:
    /// it did not exist before, so nobody else holds it open). The caller closes and renames or removes it.
    static func createTemporary(beside url: URL) throws(StoreError) -> (descriptor: Int32, url: URL) {
        let temp = url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent)-\(UUID().uuidString)")
        let fd = open(temp.path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode_t(0o600))
        guard fd >= 0 else { throw .privateFile(path: url.path, reason: String(cString: strerror(errno))) }
        // The umask can only take permissions away, never add; fchmod makes the mode exact either way.
        guard fchmod(fd, 0o600) == 0 else {
            let reason = String(cString: strerror(errno))
            close(fd)
            unlink(temp.path)
            throw .privateFile(path: url.path, reason: reason)
        }
        return (fd, temp)
    }

    /// Creates a directory only its owner may enter (mode 0700 from its creation); fine if it exists.
    public static func createDirectory(_ url: URL) throws(StoreError) {
        guard mkdir(url.path, 0o700) == 0 || errno == EEXIST else {
            throw .privateFile(path: url.path, reason: String(cString: strerror(errno)))
        }
    }
}
