import Foundation
import GRDB
import LedgerProtocol
import LedgerStore
import Synchronization
import Testing

@testable import LedgerSync

/// A relay that lies, for tests only: a transport between a client and a real relay that forwards
/// every (signed) request unchanged and alters what comes back. With the relay's log key (read from its
/// data folder, as a dishonest operator could) it can also sign checkpoints of its own.
final class LyingRelay: HTTPTransport {
    enum Lie: Sendable {
        case none
        /// Leaves out the event at this index of the first page that has one (the checkpoint stays true).
        case dropEvent(Int)
        /// Swaps the first two events of the first page with two or more.
        case swapEvents
        /// Serves this earlier checkpoint instead of the latest.
        case rollback(to: String)
        /// Signs a checkpoint of the log's size over a root that matches nothing served.
        case wrongRoot
        /// Withholds, from the first page with events on, the last event of that page that is not a
        /// cosignature and everything its author writes after it (their cosignatures too), and signs
        /// checkpoints and proofs of exactly what it served: a consistent history of its own for this
        /// client, which only another view of the log can contradict.
        case splitView
        /// Answers inclusion proofs with one hash changed: a receipt the log no longer backs.
        case badInclusion
        /// Serves the second page of events before the first (read from the relay's own store, as its
        /// operator could), each with page headers that continue what the client holds.
        case swapPages
    }

    private let real: any HTTPTransport
    private let relayData: URL
    private let key: SigningKey
    private let origin: String
    private let state: Mutex<State>
    private struct State {
        var lie: Lie
        var served: MemoryMerkleTree
        var done = false
        /// With `splitView`: the author withheld, from this seq on.
        var withheld: (author: PublicKey, seq: UInt64)?
    }
    /// How many consistency proofs the client asked for.
    let consistencyProofsAsked = Mutex(0)
    /// With `swapPages`: the first page, held back while the second is served in its place.
    private let heldPage = Mutex<(frames: [UInt8], cursor: String)?>(nil)

    /// `held`: how many leaves the client already holds; the liar's own history continues them.
    init(relay url: URL, data: URL, team: LedgerID, lie: Lie, held: UInt64) throws {
        real = try Transports.forURL(url)
        relayData = data
        let db = try DatabaseQueue(path: data.appendingPathComponent("transparency.sqlite").path)
        let seed = try db.read { try Data.fetchOne($0, sql: "SELECT seed FROM log_key") }
        let leaves = try db.read { try Data.fetchAll($0, sql: "SELECT hash FROM log_leaves ORDER BY position LIMIT ?", arguments: [Int64(held)]) }
        let served = MemoryMerkleTree(leaves: leaves.map { [UInt8]($0) })
        let stored = try #require(seed)
        key = try #require(SigningKey(seed: [UInt8](stored)))
        origin = Checkpoint.origin(team: team)
        state = Mutex(State(lie: lie, served: served))
    }

    func client(key: SigningKey, url: URL) -> RelayClient { RelayClient(baseURL: url, key: key, transport: self) }

    func send(_ request: HTTPRequest, streamingTo sink: any BodySink) async throws -> HTTPResponse { try await real.send(request, streamingTo: sink) }

    func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        if request.target.hasPrefix("/v1/log/consistency?") { consistencyProofsAsked.withLock { $0 += 1 } }
        var answer = try await real.send(request)
        guard answer.status == 200 else { return answer }
        if request.target.hasPrefix("/v1/events?"), case .swapPages = state.withLock({ $0.lie }) {
            try swapPages(&answer, after: URLComponents(string: request.target)?.queryItems?.first { $0.name == "after" }?.value ?? "0")
        } else if request.target.hasPrefix("/v1/events?") {
            let (body, first, size) = try state.withLock { s in
                let first = s.served.size
                return (try Self.alterPage(answer.body, &s), first, s.served.size)
            }
            answer.body = body
            // A careful liar keeps its page headers true to its own history.
            if case .splitView = state.withLock({ $0.lie }) {
                answer.headers["x-mledger-log-size"] = String(size)
                if answer.headers["x-mledger-log-first"] != nil { answer.headers["x-mledger-log-first"] = String(first) }
            }
        } else if request.target == "/v1/log/checkpoint" {
            answer.body = Array(try state.withLock { s in try checkpoint(String(decoding: answer.body, as: UTF8.self), s) }.utf8)
        } else if request.target.hasPrefix("/v1/log/inclusion?"), case .badInclusion = state.withLock({ $0.lie }),
            let hex = String(decoding: answer.body, as: UTF8.self).firstRange(of: #/"proof":\["[0-9a-f]/#)
        {
            // The first proof hash's first digit, changed.
            var text = String(decoding: answer.body, as: UTF8.self)
            let digit = text.index(before: hex.upperBound)
            text.replaceSubrange(digit...digit, with: text[digit] == "0" ? "1" : "0")
            answer.body = Array(text.utf8)
        } else if request.target.hasPrefix("/v1/log/consistency?"), let own = try state.withLock({ s in try Self.ownProof(request.target, s) }) {
            answer.body = own
        }
        return answer
    }

    /// The first page with a full page after it is held back and the next served instead, with the cursor
    /// of the held page's start, so the client asks for it again and gets it second.
    private func swapPages(_ answer: inout HTTPResponse, after: String) throws {
        let taken = heldPage.withLock { held in
            defer { held = nil }
            return held
        }
        if let held = taken {
            answer.body = held.frames
            answer.headers["x-mledger-cursor"] = held.cursor
        } else if !state.withLock({ $0.done }), let count = answer.headers["x-mledger-count"].flatMap(Int.init), count > 0,
            let cursor = answer.headers["x-mledger-cursor"].flatMap(Int64.init)
        {
            let next = try Ledger(path: relayData.appendingPathComponent("relay.sqlite").path).frames(after: cursor, limit: count)
            if next.count == count {
                heldPage.withLock { $0 = (answer.body, String(next.cursor)) }
                answer.body = next.frames
                // The cursor the client sent, so it asks again after the same place.
                answer.headers["x-mledger-cursor"] = after
                state.withLock { $0.done = true }
            }
        }
        // Headers that continue what the client holds.
        let frames = try EventFrames.split(answer.body)
        state.withLock { s in
            answer.headers["x-mledger-log-first"] = String(s.served.size)
            for frame in frames { s.served.append(MerkleHashing.leaf(event: Hashing.blake2b256(frame.bytes))) }
        }
    }

    /// In a split view, consistency proofs come from the liar's own history.
    private static func ownProof(_ target: String, _ s: State) throws -> [UInt8]? {
        guard case .splitView = s.lie, let query = URLComponents(string: target)?.queryItems,
            let old = query.first(where: { $0.name == "old" })?.value.flatMap(UInt64.init),
            let new = query.first(where: { $0.name == "new" })?.value.flatMap(UInt64.init), new <= s.served.size
        else { return nil }
        let proof = try s.served.consistencyProof(old: old, new: new).map { "\"\(Hex.encode($0))\"" }
        return Array("{\"proof\":[\(proof.joined(separator: ","))]}".utf8)
    }

    private static func alterPage(_ body: [UInt8], _ s: inout State) throws -> [UInt8] {
        var frames = try EventFrames.split(body)
        switch s.lie {
        case .dropEvent(let index) where !s.done && frames.count > index:
            frames.remove(at: index)
            s.done = true
        case .swapEvents where !s.done && frames.count >= 2:
            frames.swapAt(0, 1)
            s.done = true
        case .splitView:
            let envelopes = try frames.map { try Envelope.decode($0.bytes) }
            if s.withheld == nil, let last = envelopes.last(where: { $0.kind != .relayCosign }) { s.withheld = (last.author, last.seq) }
            if let (author, seq) = s.withheld {
                frames = zip(frames, envelopes).filter { $1.author != author || $1.seq < seq }.map(\.0)
            }
        default: break
        }
        for frame in frames { s.served.append(MerkleHashing.leaf(event: Hashing.blake2b256(frame.bytes))) }
        var out = [UInt8]()
        for frame in frames {
            out.appendBigEndian(UInt32(frame.bytes.count))
            out += frame.bytes + frame.signature
        }
        return out
    }

    private func checkpoint(_ note: String, _ s: State) throws -> String {
        switch s.lie {
        case .rollback(let older): return older
        case .wrongRoot:
            let size = try Checkpoint(unverifiedNote: note).size
            return Checkpoint(origin: origin, size: size, root: Hashing.sha256(Array("a root of nothing".utf8))).signed(with: key).encoded
        case .splitView: return Checkpoint(origin: origin, size: s.served.size, root: s.served.frontier.root).signed(with: key).encoded
        default: return note
        }
    }
}
