import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// One plain TCP connection to a server on 127.0.0.1, for what no well-behaved client does: a request
/// whose body stalls, or a large answer read and thrown away piece by piece instead of kept.
public final class RawConnection: @unchecked Sendable {
    public struct Failure: Error, CustomStringConvertible {
        public var description: String
        public init(description: String) { self.description = description }
    }

    private var fd: Int32

    /// Connects; `timeout` (seconds) bounds every later send and receive.
    public init(port: Int, timeout: Int = 30) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw Failure(description: "socket: \(String(cString: strerror(errno)))") }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        addr.sin_port = in_port_t(UInt16(port).bigEndian)
        let connected = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else {
            let reason = String(cString: strerror(errno))
            Glibc.close(fd)
            throw Failure(description: "connect to 127.0.0.1:\(port): \(reason)")
        }
        var limit = timeval(tv_sec: timeout, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
    }

    deinit { close() }

    public func close() {
        if fd >= 0 { Glibc.close(fd) }
        fd = -1
    }

    public func send(_ bytes: [UInt8]) throws {
        var sent = 0
        while sent < bytes.count {
            let n = bytes[sent...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if n < 0 {
                if errno == EINTR { continue }
                throw Failure(description: "send: \(String(cString: strerror(errno)))")
            }
            sent += n
        }
    }

    /// A request head (request line, `Host`, the given headers) followed by `body`.
    public func send(_ method: String, _ target: String, headers: [(String, String)], body: [UInt8] = []) throws {
        var head = "\(method) \(target) HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        for (name, value) in headers { head += "\(name): \(value)\r\n" }
        try send(Array((head + "\r\n").utf8) + body)
    }

    /// The answer's status, its headers (lowercased names) and the body bytes read along with them; nil
    /// when the server says nothing before the timeout or closes the connection.
    public func readHead() throws -> (status: Int, headers: [String: String], start: [UInt8])? {
        var buffer = [UInt8]()
        let separator: [UInt8] = [13, 10, 13, 10]
        while buffer.firstRange(of: separator) == nil {
            guard buffer.count < 1 << 16, let more = try receive(), !more.isEmpty else { return nil }
            buffer += more
        }
        guard let end = buffer.firstRange(of: separator)?.upperBound else { return nil }
        let lines = String(decoding: buffer[..<(end - 4)], as: UTF8.self).components(separatedBy: "\r\n")
        let parts = lines.first?.split(separator: " ") ?? []
        guard parts.count >= 2, let status = Int(parts[1]) else { throw Failure(description: "bad status line: \(lines.first ?? "")") }
        var headers = [String: String]()
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        return (status, headers, Array(buffer[end...]))
    }

    /// Reads `count` body bytes after `start`, handing each piece to `consume` and keeping none.
    public func drain(_ count: Int, after start: [UInt8], _ consume: ([UInt8]) -> Void) throws {
        consume(Array(start.prefix(count)))
        var remaining = count - min(count, start.count)
        while remaining > 0 {
            guard let piece = try receive(), !piece.isEmpty else { throw Failure(description: "closed with \(remaining) bytes of body missing") }
            consume(Array(piece.prefix(remaining)))
            remaining -= min(remaining, piece.count)
        }
    }

    /// Up to 256 KiB; empty at the end of the stream, nil on timeout.
    private func receive() throws -> [UInt8]? {
        var chunk = [UInt8](repeating: 0, count: 256 << 10)
        while true {
            let n = recv(fd, &chunk, chunk.count, 0)
            if n >= 0 { return Array(chunk[0..<n]) }
            if errno == EINTR { continue }
            if errno == EAGAIN || errno == EWOULDBLOCK { return nil }
            throw Failure(description: "receive: \(String(cString: strerror(errno)))")
        }
    }
}
