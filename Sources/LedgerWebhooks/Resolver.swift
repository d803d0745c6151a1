import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Resolves a receiver's host and applies the `AddressPolicy` to every address it resolves to, before
/// each request: a name that later points at a metadata address is caught on the next delivery.
public enum Resolver {
    public static func check(url: URL, policy: AddressPolicy) throws(WebhookError) {
        guard let scheme = url.scheme?.lowercased(), ["http", "https"].contains(scheme), let rawHost = url.host, !rawHost.isEmpty else {
            throw .badURL(url.absoluteString)
        }
        let host = rawHost.hasPrefix("[") ? String(rawHost.dropFirst().dropLast()) : rawHost
        if policy.refuses(host: host) { throw .refusedAddress(host: host, address: host) }
        for address in try addresses(of: host) where policy.refuses(address: address) {
            throw .refusedAddress(host: host, address: format(address))
        }
    }

    static func addresses(of host: String) throws(WebhookError) -> [[UInt8]] {
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var result: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, nil, &hints, &result) == 0, let first = result else { throw .unresolvable(host) }
        defer { freeaddrinfo(result) }
        var out = [[UInt8]]()
        var info: UnsafeMutablePointer<addrinfo>? = first
        while let ai = info, let sa = ai.pointee.ai_addr {
            switch Int32(sa.pointee.sa_family) {
            case AF_INET:
                sa.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { sin in
                    out.append(withUnsafeBytes(of: sin.pointee.sin_addr) { Array($0) })
                }
            case AF_INET6:
                sa.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { sin6 in
                    out.append(withUnsafeBytes(of: sin6.pointee.sin6_addr) { Array($0) })
                }
            default: break
            }
            info = ai.pointee.ai_next
        }
        return out
    }

    static func format(_ address: [UInt8]) -> String {
        if address.count == 4 { return address.map(String.init).joined(separator: ".") }
        return stride(from: 0, to: address.count, by: 2).map { String(UInt16(address[$0]) << 8 | UInt16(address[$0 + 1]), radix: 16) }.joined(
            separator: ":")
    }
}
