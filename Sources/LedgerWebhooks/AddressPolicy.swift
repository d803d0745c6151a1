/// Which addresses a webhook may call (SSRF): not link-local (169.254/16, fe80::/10, where clouds serve
/// instance credentials) and not the metadata services' other addresses and names, unless the operator
/// allows them. Loopback and private networks stay allowed: receivers often live beside the server.
public struct AddressPolicy: Sendable, Equatable {
    public var allowLinkLocal: Bool

    public init(allowLinkLocal: Bool = false) {
        self.allowLinkLocal = allowLinkLocal
    }

    /// Host names of cloud metadata services.
    static let metadataNames: Set<String> = ["metadata.google.internal", "metadata.goog", "metadata", "instance-data", "instance-data.ec2.internal"]

    public func refuses(host: String) -> Bool {
        !allowLinkLocal && Self.metadataNames.contains(String(host.lowercased().trimmingTrailingDot))
    }

    /// `address` is 4 (IPv4) or 16 (IPv6) bytes in network order.
    public func refuses(address: [UInt8]) -> Bool {
        guard !allowLinkLocal else { return false }
        if address.count == 16 {
            // IPv4-mapped (::ffff:a.b.c.d) is judged as the IPv4 address it carries.
            if address[0..<10].allSatisfy({ $0 == 0 }), address[10] == 0xff, address[11] == 0xff { return refuses(address: Array(address[12...])) }
            if address[0] == 0xfe, address[1] & 0xc0 == 0x80 { return true }  // fe80::/10
            // AWS's IPv6 metadata service, fd00:ec2::254.
            return address == [0xfd, 0, 0x0e, 0xc2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x02, 0x54]
        }
        guard address.count == 4 else { return true }
        if address[0] == 169, address[1] == 254 { return true }
        // Alibaba Cloud's metadata service.
        return address == [100, 100, 100, 200]
    }
}

extension String {
    fileprivate var trimmingTrailingDot: Substring { hasSuffix(".") ? dropLast() : Substring(self) }
}
