import Foundation
import Hummingbird
import LedgerProtocol
import LedgerStore

/// The transparency log's endpoints (SYNC 15): the latest signed checkpoint, a consistency proof
/// between two sizes, and an event's inclusion proof. Each answer is brought up to date with the ledger.
struct LogRoutes {
    let state: RelayState
    let log: TransparencyLog

    func register(on group: RouterGroup<RelayContext>) {
        group.get("log/checkpoint", use: checkpoint)
        group.get("log/consistency", use: consistency)
        group.get("log/inclusion", use: inclusion)
    }

    /// `GET /v1/log/checkpoint`: the latest checkpoint as a signed note (text/plain).
    @Sendable func checkpoint(_ request: Request, context: RelayContext) async throws -> Response {
        let (state, log) = (self.state, self.log)
        let note = try await offload { () throws -> String in
            let team = try Self.team(state)
            try log.catchUp(ledger: state.ledger, team: team)
            return try log.latestCheckpoint(team: team)
        }
        return Response(status: .ok, headers: [.contentType: "text/plain; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: note)))
    }

    /// `GET /v1/log/consistency?old=M&new=N`: RFC 9162 PROOF(M, D[0:N]).
    @Sendable func consistency(_ request: Request, context: RelayContext) async throws -> Response {
        let query = request.uri.queryParameters
        guard let old = query["old"].flatMap({ UInt64(String($0)) }), let new = query["new"].flatMap({ UInt64(String($0)) }) else {
            throw RelayError.badRequest("bad_size", "'old' and 'new' must be log sizes")
        }
        let (state, log) = (self.state, self.log)
        let proof = try await offload { () throws -> [[UInt8]] in
            let size = try log.catchUp(ledger: state.ledger, team: try Self.team(state)).size
            guard new <= size else { throw RelayError.badRequest("bad_size", "the log has \(size) entries, not \(new)") }
            return try Self.answer { () throws(TransparencyError) in try log.storage.consistencyProof(old: old, new: new) }
        }
        return try JSONResponse.make(LogProof(old: old, new: new, proof: proof))
    }

    /// `GET /v1/log/inclusion?id=<event id>&size=N`: the event's position and RFC 9162 PATH in the log of N.
    @Sendable func inclusion(_ request: Request, context: RelayContext) async throws -> Response {
        let query = request.uri.queryParameters
        guard let id = query["id"].flatMap({ LedgerID(hex: String($0)) }) else {
            throw RelayError.badRequest("bad_id", "'id' must be an event id (64 hex digits)")
        }
        let requested = query["size"].flatMap { UInt64(String($0)) }
        let (state, log) = (self.state, self.log)
        let answer = try await offload { () throws -> LogProof in
            let size = try log.catchUp(ledger: state.ledger, team: try Self.team(state)).size
            guard let index = try log.position(of: id, ledger: state.ledger) else {
                throw RelayError.notFound("event \(id.short) is not in the log")
            }
            let at = requested ?? size
            guard at <= size else { throw RelayError.badRequest("bad_size", "the log has \(size) entries, not \(at)") }
            let proof = try Self.answer { () throws(TransparencyError) in try log.storage.inclusionProof(index: index, size: at) }
            return LogProof(id: id, index: index, size: at, proof: proof)
        }
        return try JSONResponse.make(answer)
    }

    /// The team whose log this is: the one the relay holds, else the one it was started with (whose log
    /// is still empty, as `GET /v1/relay` already announces its key).
    static func team(_ state: RelayState) throws -> LedgerID {
        guard let team = try state.ledger.team() ?? state.configuration.team else {
            throw RelayError.notFound("this relay holds no team yet, so no log")
        }
        return team
    }

    /// A size outside the log is the caller's mistake (400); anything else is the relay's.
    static func answer(_ body: () throws(TransparencyError) -> [[UInt8]]) throws -> [[UInt8]] {
        do { return try body() } catch .outOfRange(let why) { throw RelayError.badRequest("bad_size", why) }
    }
}
