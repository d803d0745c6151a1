import Foundation

/// Debian's nginx as a round-robin load balancer on a free port of 127.0.0.1, in front of relays on
/// 127.0.0.1: at `/` as they are, and under `/mledger/` with that prefix removed (a relay behind a path).
/// It streams bodies both ways, as server/README.md asks of a proxy, and runs in the foreground in its
/// own process group, ended when released.
public final class NginxBalancer: @unchecked Sendable {
    public let port: Int
    public let folder: URL
    private var group: ProcessGroup?

    public var url: String { "http://127.0.0.1:\(port)" }

    public struct Unavailable: Error, CustomStringConvertible {
        public var description: String
    }

    public init(relayPorts: [Int]) throws {
        let binary = "/usr/sbin/nginx"
        guard FileManager.default.isExecutableFile(atPath: binary) else {
            throw Unavailable(description: "nginx is not installed at \(binary): run `make deps` (installs Debian's nginx package)")
        }
        port = freePort()
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("mledger-nginx-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let conf = folder.appendingPathComponent("nginx.conf")
        try Self.configuration(port: port, relays: relayPorts, folder: folder).write(to: conf, atomically: true, encoding: .utf8)
        let p = Process()
        p.executableURL = URL(fileURLWithPath: binary)
        p.arguments = ["-p", folder.path, "-c", conf.path, "-e", folder.appendingPathComponent("error.log").path]
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        group = try ProcessGroup(starting: p)
        let deadline = Date().addingTimeInterval(20)
        while Date() < deadline {
            if let connection = try? RawConnection(port: port, timeout: 1) {
                connection.close()
                return
            }
            Thread.sleep(forTimeInterval: 0.05)
        }
        let log = (try? String(contentsOf: folder.appendingPathComponent("error.log"), encoding: .utf8)) ?? ""
        stop()
        throw Unavailable(description: "nginx did not listen on port \(port): \(log.suffix(1000))")
    }

    /// Round robin over `relays`; a relay that refuses connections is skipped for idempotent requests.
    static func configuration(port: Int, relays: [Int], folder: URL) -> String {
        let servers = relays.map { "        server 127.0.0.1:\($0) max_fails=0;" }.joined(separator: "\n")
        let temp = ["client_body", "proxy", "fastcgi", "uwsgi", "scgi"].map { "    \($0)_temp_path \(folder.path)/\($0);" }
            .joined(separator: "\n")
        return """
            daemon off;
            worker_processes 1;
            pid \(folder.path)/nginx.pid;
            \(getuid() == 0 ? "user root;" : "")
            events { worker_connections 1024; }
            http {
                access_log off;
            \(temp)
                upstream relays {
            \(servers)
                }
                server {
                    listen 127.0.0.1:\(port);
                    client_max_body_size 0;
                    proxy_http_version 1.1;
                    proxy_request_buffering off;
                    proxy_buffering off;
                    proxy_read_timeout 300s;
                    proxy_send_timeout 300s;
                    location / { proxy_pass http://relays; }
                    location /mledger/ {
                        proxy_pass http://relays/;
                        proxy_set_header X-Forwarded-Prefix /mledger;
                    }
                }
            }
            """
    }

    public func stop() {
        group?.end(seconds: 10)
        group = nil
        try? FileManager.default.removeItem(at: folder)
    }

    deinit { stop() }
}
