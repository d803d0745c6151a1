import Foundation
import LedgerProtocol
import LedgerStore
import LedgerTestSupport
import Testing

/// What a request that is not authenticated may cost the relay in memory: nothing (issue 22, finding 4).
@Suite struct RelayMemoryTests {
    static let mib = 1 << 20

    /// Forty connections claim a member's key with a signature of zeros and announce a 16 MiB push;
    /// each sends all of it but the last KiB, then stalls. The relay must refuse them from their headers
    /// alone and hold none of their bodies (it may stop reading them, or close the connection).
    @Test func stalledUnauthenticatedBodiesCostNoMemory() throws {
        let fixture = try TeamFixture()
        let alice = try TeamFixture.signingKey(of: fixture.admin)
        let start = fixture.relay.residentMemory() ?? 0
        let announced = 16 << 20
        let piece = [UInt8](repeating: 0x41, count: 4096)
        var connections = [RawConnection]()
        defer { for connection in connections { connection.close() } }
        for _ in 0..<40 {
            let connection = try RawConnection(port: fixture.relay.port, timeout: 2)
            connections.append(connection)
            try connection.send(
                "POST", "/v1/events",
                headers: [
                    ("X-Mledger-Key", alice.publicKey.hex), ("X-Mledger-Time", String(wallClockMs())),
                    ("X-Mledger-Nonce", Hex.encode(secureRandomBytes(16))), ("X-Mledger-Signature", String(repeating: "0", count: 128)),
                    ("X-Mledger-Body-SHA256", Hex.encode(secureRandomBytes(32))), ("Content-Length", String(announced)),
                ], body: piece)
            // The rest but the last KiB; a relay that stops reading makes this time out, one that hangs up makes it fail.
            try? connection.send([UInt8](repeating: 0x41, count: announced - piece.count - 1024))
        }
        Thread.sleep(forTimeInterval: 1.5)
        let stalled = fixture.relay.residentMemory() ?? Int.max
        print(
            "relay RSS, 40 unauthenticated 16 MiB pushes stalled 1 KiB before their end: \(start / Self.mib) MB before, \(stalled / Self.mib) MB with them"
        )
        #expect(stalled < 150 * Self.mib, "relay RSS \(stalled / Self.mib) MB with 40 stalled unauthenticated pushes")
        // Refused at once, from the headers: the relay does not wait for the body.
        #expect(try connections[0].readHead()?.status == 401)
        // And it keeps serving members.
        try fixture.admin.ok("sync")
    }
}
