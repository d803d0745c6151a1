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
    /// Put before every target (see `Transports.forURL`).
    public let pathPrefix: String

    public var sendsFromOffset: Bool { true }

    public init(host: String, port: Int, pathPrefix: String = "") {
        self.host = host
        self.port = port
        self.pathPrefix = pathPrefix
    }

    public func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        try await send(request, sink: nil)
    }

    public func send(_ request: HTTPRequest, streamingTo sink: any BodySink) async throws -> HTTPResponse {
        try await send(request, sink: sink)
    }

    private func send(_ request: HTTPRequest, sink: (any BodySink)?) async throws -> HTTPResponse {
        var request = request
        request.target = pathPrefix + request.target
        let (host, port) = (self.host, self.port)
        return try await offload { [request] in try Self.exchange(request, host: host, port: port, sink: sink) }
    }

    static func exchange(_ request: HTTPRequest, host: String, port: Int, sink: (any BodySink)?) throws -> HTTPResponse {
        let fd = try connect(host: host, port: port)
        defer { close(fd) }
        var head = "\(request.method) \(request.target) HTTP/1.1\r\nHost: \(host):\(port)\r\nConnection: close\r\n"
        for (name, value) in request.headers { head += "\(name): \(value)\r\n" }
        guard let file = request.bodyFile else {
            head += "Content-Length: \(request.body.count)\r\n\r\n"
            try writeAll(fd, Array(head.utf8))
            if !request.body.isEmpty { try writeAll(fd, request.body) }
            return try readResponse(fd, method: request.method, sink: sink)
        }
        guard let input = FileHandle(forReadingAtPath: file.path),
            let size = (try? FileManager.default.attributesOfItem(atPath: file.path)[.size] as? Int) ?? nil
        else {
            throw SyncError.badResponse("cannot read \(file.path)")
        }
        defer { try? input.close() }
        guard request.bodyOffset <= size else { throw SyncError.badResponse("\(file.path) is shorter than \(request.bodyOffset) bytes") }
        try input.seek(toOffset: request.bodyOffset)
        var sent = Int(request.bodyOffset)
        head += "Content-Length: \(size - sent)\r\n\r\n"
        // A server that refuses a body answers before reading it and stops reading: its answer says why.
        try writeAll(fd, Array(head.utf8))
        while sent < size, let piece = try input.read(upToCount: min(256 << 10, size - sent)), !piece.isEmpty {
            guard try writeUnlessAnswered(fd, Array(piece)) else { return try readResponse(fd, method: request.method, sink: nil) }
            sent += piece.count
        }
        guard sent == size else { throw SyncError.badResponse("\(file.path) changed while it was being sent") }
        return try readResponse(fd, method: request.method, sink: sink)
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

    /// Sends `bytes` while watching for an answer; false when the server answered before taking them all.
    private static func writeUnlessAnswered(_ fd: Int32, _ bytes: [UInt8]) throws -> Bool {
        var sent = 0
        while sent < bytes.count {
            var watch = pollfd(fd: fd, events: Int16(POLLIN | POLLOUT), revents: 0)
            let ready = poll(&watch, 1, 120_000)
            if ready < 0 {
                if errno == EINTR { continue }
                throw failure("poll failed")
            }
            guard ready > 0 else { throw SyncError.unreachable(url: "", reason: "the server took no bytes for 120 s") }
            if watch.revents & Int16(POLLIN) != 0 { return false }
            let n = bytes[sent...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL | MSG_DONTWAIT)) }
            if n < 0 {
                if errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK { continue }
                throw failure("send failed")
            }
            sent += n
        }
        return true
    }

    private static func writeAll(_ fd: Int32, _ bytes: [UInt8]) throws {
        var sent = 0
        while sent < bytes.count {
            let n = bytes[sent...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if n < 0 {
                if errno == EINTR { continue }
                throw failure("send failed")
            }
            sent += n
        }
    }

    /// Reads status line, headers and a body framed by Content-Length, chunked encoding or EOF. With a
    /// `sink`, a 2xx answer's body goes there as it arrives (only `maxBody` applies to what stays in memory).
    private static func readResponse(_ fd: Int32, method: String, sink: (any BodySink)?) throws -> HTTPResponse {
        var buffer = [UInt8]()
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        /// The next bytes received; nil at the end of the stream.
        func receive() throws -> ArraySlice<UInt8>? {
            while true {
                let n = recv(fd, &chunk, chunk.count, 0)
                if n < 0 {
                    if errno == EINTR { continue }
                    throw failure("receive failed")
                }
                return n == 0 ? nil : chunk[0..<n]
            }
        }
        let separator: [UInt8] = [13, 10, 13, 10]
        var headerEnd: Int?
        while headerEnd == nil {
            if let r = buffer.firstRange(of: separator) {
                headerEnd = r.upperBound
                break
            }
            guard buffer.count <= maxHeaderBytes else { throw SyncError.badResponse("response headers over \(maxHeaderBytes) bytes") }
            guard let more = try receive() else { throw SyncError.badResponse("connection closed before the response headers") }
            buffer += more
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
        let streaming = (200..<300).contains(status) ? sink : nil
        try streaming?.begin(status: status, headers: headers)
        var body = [UInt8]()
        func emit(_ piece: ArraySlice<UInt8>) throws {
            if let streaming { return try piece.withUnsafeBytes { try streaming.write($0) } }
            guard body.count + piece.count <= maxBody else { throw SyncError.badResponse("response body over \(maxBody) bytes") }
            body += piece
        }
        let start = buffer[end...]
        if method == "HEAD" || status == 204 || status == 304 {
            // No body.
        } else if let declared = headers["content-length"] {
            guard let length = Int(declared), length >= 0, streaming != nil || length <= maxBody else {
                throw SyncError.badResponse("bad Content-Length \(declared)")
            }
            try emit(start.prefix(length))
            var remaining = length - min(length, start.count)
            while remaining > 0 {
                guard let piece = try receive() else { throw SyncError.badResponse("connection closed mid-body") }
                try emit(piece.prefix(remaining))
                remaining -= min(remaining, piece.count)
            }
        } else if headers["transfer-encoding"]?.lowercased().contains("chunked") == true {
            try dechunk(Array(start), more: { try receive().map(Array.init) }, emit: emit)
        } else {
            try emit(start)
            while let piece = try receive() { try emit(piece) }
        }
        return HTTPResponse(status: status, headers: headers, body: body)
    }

    /// Decodes a chunked body, reading more with `more` until the final zero-length chunk, piece by piece
    /// into `emit`; only the part not yet decoded stays in memory.
    static func dechunk(_ start: [UInt8], more: () throws -> [UInt8]?, emit: (ArraySlice<UInt8>) throws -> Void) throws {
        var input = start
        var offset = 0
        func line() throws -> String {
            while true {
                if let r = input[offset...].firstRange(of: [13, 10]) {
                    defer { offset = r.upperBound }
                    return String(decoding: input[offset..<r.lowerBound], as: UTF8.self)
                }
                guard input.count - offset <= maxHeaderBytes, let next = try more() else { throw SyncError.badResponse("truncated chunked body") }
                input += next
            }
        }
        while true {
            guard let size = Int(try line().split(separator: ";").first ?? "", radix: 16), (0...maxBody).contains(size) else {
                throw SyncError.badResponse("bad chunk size")
            }
            if size == 0 { return }
            var remaining = size
            while remaining > 0 {
                if offset == input.count {
                    guard let next = try more() else { throw SyncError.badResponse("truncated chunk") }
                    input = next
                    offset = 0
                }
                let take = min(remaining, input.count - offset)
                try emit(input[offset..<offset + take])
                offset += take
                remaining -= take
            }
            // What was emitted is dropped; the chunk's CRLF is read as an empty line.
            input.removeFirst(offset)
            offset = 0
            guard try line().isEmpty else { throw SyncError.badResponse("chunk not followed by CRLF") }
        }
    }
}
