import Foundation
import LedgerProcesses
import LedgerProtocol
import LedgerStore
import LedgerSync

/// Unauthenticated requests that try to make the relay hold their bodies: many connections claim a
/// member's key with a signature of zeros or random bytes, announce a body as large as the relay
/// accepts, send all of it but the last KiB and stall. The relay must refuse them from their headers,
/// keep serving members meanwhile, and hold none of those bodies in memory.
enum StalledBodies {
    /// More than this much resident memory gained during the attack means the relay kept bodies (the
    /// attack sends at least 40 bodies of `HostileInput.maxBody`, 80 MB).
    static let allowedGrowth = 32 << 20

    static func run(_ relay: RelayProcess, _ forge: Forge, rng: inout SplitMix, _ tally: Tally) async -> Int {
        let key = forge.alice.key
        let count = Int.random(in: 40...60, using: &rng)
        let before = relay.residentMemory() ?? 0
        var connections = [RawConnection]()
        defer { for connection in connections { connection.close() } }
        for i in 0..<count {
            let signature = i % 2 == 0 ? [UInt8](repeating: 0, count: 64) : (0..<64).map { _ in UInt8.random(in: 0...255, using: &rng) }
            let bodyHash = (0..<32).map { _ in UInt8.random(in: 0...255, using: &rng) }
            do {
                let connection = try RawConnection(port: relay.port, timeout: 1)
                connections.append(connection)
                try connection.send(
                    "POST", "/v1/events",
                    headers: [
                        (RequestSignature.Header.key, key.publicKey.hex), (RequestSignature.Header.time, String(wallClockMs())),
                        (RequestSignature.Header.nonce, Hex.encode((0..<16).map { _ in UInt8.random(in: 0...255, using: &rng) })),
                        (RequestSignature.Header.signature, Hex.encode(signature)),
                        (RequestSignature.Header.bodySHA256, Hex.encode(bodyHash)),
                        ("Content-Length", String(HostileInput.maxBody)),
                    ])
                // A relay that stops reading makes this time out, one that hangs up makes it fail: both are right.
                try? connection.send([UInt8](repeating: 0x5a, count: HostileInput.maxBody - 1024))
            } catch {
                tally.fail("stalled bodies: connection \(i) of \(count) could not be opened: \(error)")
                return i
            }
        }
        // Members are still served while the stalled connections are open.
        let transport = SocketTransport(host: "127.0.0.1", port: relay.port)
        let frontier = try? await transport.send(forge.signed("GET", "/v1/frontier", as: key))
        tally.check(
            frontier?.status == 200, "stalled bodies: a member's request got \(frontier.map { String($0.status) } ?? "no answer") during the attack")
        let during = relay.residentMemory() ?? Int.max
        tally.check(
            during - before < allowedGrowth,
            "stalled bodies: the relay grew from \((before) >> 20) MB to \(during >> 20) MB with \(count) unauthenticated bodies in flight")
        let answer = try? connections.first?.readHead()
        tally.check(
            answer?.status == 401,
            "stalled bodies: a claimed key with a bad signature got \(answer.map { String($0.status) } ?? "no answer"), expected 401 at once")
        return count
    }
}
