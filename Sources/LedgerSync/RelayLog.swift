import Foundation
import LedgerProtocol

/// Where a pull page sits in the relay's transparency log: its events are the leaves from `first` on,
/// and the log had `size` leaves when the page was read (SYNC 7).
public struct LogPlace: Equatable, Sendable {
    public var first: UInt64
    public var size: UInt64

    init?(headers: [String: String]) {
        guard let first = headers["x-mledger-log-first"].flatMap(UInt64.init), let size = headers["x-mledger-log-size"].flatMap(UInt64.init) else {
            return nil
        }
        self.first = first
        self.size = size
    }
}

/// The relay's transparency log endpoints (SYNC 15): its key, its latest checkpoint, and proofs.
extension RelayClient {
    /// The log's verifier key as the relay announces it (`GET /v1/relay`), nil if it keeps no log yet.
    public func logKey() async throws -> String? {
        struct Announcement: Decodable {
            var logKey: String?
            enum CodingKeys: String, CodingKey { case logKey = "log_key" }
        }
        let answer = try await send("GET", "/v1/relay")
        return try decode(Announcement.self, answer.body, "GET /v1/relay").logKey
    }

    /// The latest checkpoint as the signed note the relay serves; checking it is the caller's job.
    public func checkpoint() async throws -> String {
        String(decoding: try await send("GET", "/v1/log/checkpoint").body, as: UTF8.self)
    }

    struct Proof: Decodable {
        var index: UInt64?
        var proof: [String]
    }

    /// RFC 9162 PROOF(old, D[0:new]).
    public func consistencyProof(old: UInt64, new: UInt64) async throws -> [[UInt8]] {
        let answer = try await send("GET", "/v1/log/consistency?old=\(old)&new=\(new)")
        return try hashes(try decode(Proof.self, answer.body, "consistency proof").proof)
    }

    /// The event's position and RFC 9162 PATH in the log of `size` leaves.
    public func inclusionProof(of id: LedgerID, size: UInt64) async throws -> (index: UInt64, proof: [[UInt8]]) {
        let answer = try await send("GET", "/v1/log/inclusion?id=\(id.hex)&size=\(size)")
        let proof = try decode(Proof.self, answer.body, "inclusion proof")
        guard let index = proof.index else { throw SyncError.badResponse("inclusion proof without the event's position") }
        return (index, try hashes(proof.proof))
    }

    private func decode<T: Decodable>(_ type: T.Type, _ body: [UInt8], _ what: String) throws -> T {
        do { return try JSONDecoder().decode(type, from: Data(body)) } catch { throw SyncError.badResponse("\(what): \(error)") }
    }

    private func hashes(_ hex: [String]) throws -> [[UInt8]] {
        try hex.map { h in
            guard let bytes = Hex.decode(h), bytes.count == 32 else { throw SyncError.badResponse("a proof hash '\(h.prefix(80))' is not 32 bytes") }
            return bytes
        }
    }
}
