import Foundation
import LedgerProtocol
#if canImport(Glibc)
import Glibc
#endif

/// HTTP/1.1 over a plain TCP socket, one connection per request. Small and predictable: it blocks a
/// dispatch thread while it waits instead of polling, so a sync leaves the CPU to signature checks.
/// Answers are bounded (headers 64 KiB, bodies `maxBody`), so a hostile server cannot exhaust memory.
public struct SocketTransport: HTTPTransport {
    public static let maxHeaderBytes = 64 << 10
    public static let maxBody = 1 << 30

    public let host: String
    public let port: Int

    public init(host: String, port: Int) { self.host = host; self.port = port }

    public func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        let host = self.host, port = self.port
        return try await offload { try Self.exchange(request, host: host, port: port) }
    }

    static func exchange(_ request: HTTPRequest, host: String, port: Int) throws -> HTTPResponse {
        let fd = try connect(host: host, port: port)
        defer { close(fd) }
        var head = "\(request.method) \(request.target) HTTP/1.1\r\nHost: \(host):\(port)\r\nConnection: close\r\n"
        for (name, value) in request.headers { head += "\(name): \(value)\r\n" }
        head += "Content-Length: \(request.body.count)\r\n\r\n"
        try writeAll(fd, Array(head.utf8))
        if !request.body.isEmpty { try writeAll(fd, request.body) }
        return try readResponse(fd, method: request.method)
    }

    private static func failure(_ what: String) -> SyncError {
        .unreachable(url: "", reason: "\(what): \(String(cString: strerror(errno)))")
    }

    private static func connect(host: String, port: Int) throws -> Int32 {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var result: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, String(port), &hints, &result) == 0, let first = result else {
            throw SyncError.unreachable(url: "\(host):\(port)", reason: "cannot resolve \(host)")
        }
        defer { freeaddrinfo(result) }
        var info: UnsafeMutablePointer<addrinfo>? = first
        while let ai = info {
            let fd = socket(ai.pointee.ai_family, ai.pointee.ai_socktype, ai.pointee.ai_protocol)
            if fd >= 0 {
                if Glibc.connect(fd, ai.pointee.ai_addr, ai.pointee.ai_addrlen) == 0 {
                    var one: Int32 = 1
                    setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
                    var timeout = timeval(tv_sec: 120, tv_usec: 0)
                    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
                    return fd
                }
                close(fd)
            }
            info = ai.pointee.ai_next
        }
        throw SyncError.unreachable(url: "\(host):\(port)", reason: "connection refused")
    }

    private static func writeAll(_ fd: Int32, _ bytes: [UInt8]) throws {
        var sent = 0
        while sent < bytes.count {
            let n = bytes[sent...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if n < 0 { if errno == EINTR { continue }; throw failure("send failed") }
            sent += n
        }
    }

    /// Reads status line, headers and a body framed by Content-Length, chunked encoding or EOF.
    private static func readResponse(_ fd: Int32, method: String) throws -> HTTPResponse {
        var buffer = [UInt8]()
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        func fill() throws -> Bool {
            let n = recv(fd, &chunk, chunk.count, 0)
            if n < 0 { if errno == EINTR { return true }; throw failure("receive failed") }
            if n == 0 { return false }
            buffer.append(contentsOf: chunk[0..<n])
            return true
        }
        let separator: [UInt8] = [13, 10, 13, 10]
        var headerEnd: Int?
        while headerEnd == nil {
            if let r = buffer.firstRange(of: separator) { headerEnd = r.upperBound; break }
            guard buffer.count <= maxHeaderBytes else { throw SyncError.badResponse("response headers over \(maxHeaderBytes) bytes") }
            guard try fill() else { throw SyncError.badResponse("connection closed before the response headers") }
        }
        let end = headerEnd ?? 0
        let lines = String(decoding: buffer[..<(end - 4)], as: UTF8.self).components(separatedBy: "\r\n")
        let statusParts = lines.first?.split(separator: " ") ?? []
        guard statusParts.count >= 2, let status = Int(statusParts[1]) else { throw SyncError.badResponse("bad status line") }
        var headers = [String: String]()
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        var body = Array(buffer[end...])
        if method == "HEAD" || status == 204 || status == 304 {
            body = []
        } else if let length = headers["content-length"].flatMap(Int.init) {
            guard (0...maxBody).contains(length) else { throw SyncError.badResponse("bad Content-Length \(length)") }
            while body.count < length {
                buffer = []
                guard try fill() else { throw SyncError.badResponse("connection closed mid-body") }
                body += buffer
            }
            body = Array(body.prefix(length))
        } else if headers["transfer-encoding"]?.lowercased().contains("chunked") == true {
            body = try dechunk(body) { buffer = []; return try fill() ? buffer : nil }
        } else {
            while true {
                buffer = []
                guard try fill() else { break }
                body += buffer
                guard body.count <= maxBody else { throw SyncError.badResponse("response body over \(maxBody) bytes") }
            }
        }
        return HTTPResponse(status: status, headers: headers, body: body)
    }

    /// Decodes a chunked body, reading more with `more` until the final zero-length chunk.
    static func dechunk(_ start: [UInt8], more: () throws -> [UInt8]?) throws -> [UInt8] {
        var input = start, out = [UInt8](), offset = 0
        func line() throws -> String {
            while true {
                if let r = input[offset...].firstRange(of: [13, 10]) {
                    defer { offset = r.upperBound }
                    return String(decoding: input[offset..<r.lowerBound], as: UTF8.self)
                }
                guard let next = try more() else { throw SyncError.badResponse("truncated chunked body") }
                input += next
            }
        }
        while true {
            guard let size = Int(try line().split(separator: ";").first ?? "", radix: 16), (0...maxBody).contains(size),
                  out.count + size <= maxBody else {
                throw SyncError.badResponse("bad chunk size")
            }
            if size == 0 { return out }
            while input.count - offset < size + 2 {
                guard let next = try more() else { throw SyncError.badResponse("truncated chunk") }
                input += next
            }
            out += input[offset..<offset + size]
            offset += size + 2
        }
    }
}
