import Foundation
import Testing

@testable import LedgerProtocol

/// Runs every vector in protocol/vectors/events.json: the contract any implementation must meet.
@Suite struct VectorTests {
    struct Document: Decodable {
        struct Key: Decodable {
            var name: String
            var seed: String
            var publicKey: String

            enum CodingKeys: String, CodingKey {
                case name, seed
                case publicKey = "public_key"
            }
        }
        struct Fields: Decodable {
            var team: String
            var author: String
            var seq: UInt64
            var prev: String
            var clock: String
            var kind: String
            var heads: [String]
            var body: String
        }
        struct Valid: Decodable {
            var name: String
            var fields: Fields
            var bytes: String
            var signature: String
            var id: String
        }
        struct Invalid: Decodable {
            var name: String
            var bytes: String?
            var bytesHead: String?
            var fillCount: Int?
            var fillByte: String?
            var signature: String
            var holds: [String]
            var error: String
            var team: String?
            var nowMs: UInt64

            enum CodingKeys: String, CodingKey {
                case name, bytes, signature, holds, error, team
                case bytesHead = "bytes_head"
                case fillCount = "fill_count"
                case fillByte = "fill_byte"
                case nowMs = "now_ms"
            }
        }
        var keys: [Key]
        var valid: [Valid]
        var invalid: [Invalid]
    }

    static func load() throws -> Document {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../../protocol/vectors/events.json").standardizedFileURL
        return try JSONDecoder().decode(Document.self, from: Data(contentsOf: url))
    }

    func hex(_ s: String) throws -> [UInt8] { try #require(Hex.decode(s)) }

    @Test func keysDeriveFromSeeds() throws {
        for k in try Self.load().keys {
            let key = try #require(SigningKey(seed: try hex(k.seed)))
            #expect(key.publicKey.hex == k.publicKey, "key \(k.name)")
        }
    }

    @Test func validEventsHaveExactBytesIdsAndSignatures() throws {
        let document = try Self.load()
        let keys = try Dictionary(
            uniqueKeysWithValues: document.keys.map { k in
                (k.publicKey, try #require(SigningKey(seed: try hex(k.seed))))
            })
        for v in document.valid {
            let f = v.fields
            let envelope = Envelope(
                team: try #require(LedgerID(hex: f.team)), author: try #require(PublicKey(hex: f.author)), seq: f.seq,
                prev: try #require(LedgerID(hex: f.prev)), clock: try #require(UInt64(f.clock)), kind: try #require(EventKind(rawValue: f.kind)),
                heads: try f.heads.map { try #require(LedgerID(hex: $0)) }, body: try hex(f.body))
            #expect(Hex.encode(envelope.encoded()) == v.bytes, "bytes of \(v.name)")
            let signed = SignedEvent(signing: envelope, with: try #require(keys[f.author]))
            #expect(signed.id.hex == v.id, "id of \(v.name)")
            #expect(Hex.encode(signed.signature) == v.signature, "signature of \(v.name)")
            let decoded = try SignedEvent(bytes: try hex(v.bytes), signature: try hex(v.signature))
            #expect(decoded.envelope == envelope, "decoding \(v.name)")
            _ = try decoded.body()
        }
    }

    @Test func invalidCasesGiveTheirErrors() throws {
        let document = try Self.load()
        let stored = try Dictionary(
            uniqueKeysWithValues: document.valid.map { v in
                (v.id, try SignedEvent(bytes: try hex(v.bytes), signature: try hex(v.signature)))
            })
        for c in document.invalid {
            var bytes = try hex(c.bytes ?? c.bytesHead ?? "")
            if let n = c.fillCount, let fill = c.fillByte { bytes += [UInt8](repeating: try hex(fill)[0], count: n) }
            let holds = try c.holds.map { try #require(stored[$0]) }
            let outcome = Self.receive(
                bytes: bytes, signature: try hex(c.signature), holds: holds,
                team: try c.team.map { try #require(LedgerID(hex: $0)) }, nowMs: c.nowMs)
            #expect(outcome == c.error, "\(c.name): expected \(c.error), got \(outcome)")
        }
    }

    /// A minimal receiver: what the store and relay do for one incoming event.
    static func receive(bytes: [UInt8], signature: [UInt8], holds: [SignedEvent], team: LedgerID?, nowMs: UInt64) -> String {
        do {
            let event = try SignedEvent(bytes: bytes, signature: signature)
            if team == nil, event.envelope.kind != .teamGenesis { return "wrong_team" }
            let mine = holds.filter { $0.envelope.author == event.envelope.author }
            let seqs = Dictionary(grouping: mine, by: \.envelope.seq)
            let chain = ChainNeighbourhood(
                highestSeq: mine.map(\.envelope.seq).max() ?? 0,
                predecessors: (seqs[event.envelope.seq - 1] ?? []).map { ChainLink(id: $0.id, clock: $0.envelope.clock) },
                sameSeq: (seqs[event.envelope.seq] ?? []).map(\.id),
                forkedSeq: seqs.filter { $0.value.count > 1 }.keys.min())
            switch try ChainRules.place(event, team: team, nowMs: nowMs, chain: chain) {
            case .append: return "accepted"
            case .duplicate: return "duplicate"
            case .fork: return "fork"
            }
        } catch {
            return error.code
        }
    }
}
