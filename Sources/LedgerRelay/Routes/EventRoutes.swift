import Foundation
import HTTPTypes
import Hummingbird
import LedgerModel
import LedgerProtocol
import LedgerStore

/// Push, pull and frontier: how clients exchange events with the relay.
struct EventRoutes {
    let state: RelayState

    func register(on group: RouterGroup<RelayContext>) {
        group.post("events", use: push)
        group.get("events", use: pull)
        group.get("frontier", use: frontier)
    }

    /// A pushed event that was not simply accepted or a duplicate: a fork, or a rejection and why.
    struct PushProblem: Codable, Sendable {
        var index: Int
        var id: String
        var status: String
        var code: String?
        var message: String?
    }

    /// The answer to a push: one status letter per event in push order (`a` accepted, `d` duplicate,
    /// `f` fork, `r` rejected), the counts, and details for every fork and rejection.
    struct PushResponse: Codable, Sendable {
        var accepted = 0
        var duplicates = 0
        var forks = 0
        var rejected = 0
        var statuses = ""
        var problems: [PushProblem] = []

        mutating func add(_ index: Int, _ id: LedgerID, _ outcome: Ledger.IngestResult) {
            switch outcome {
            case .accepted:
                accepted += 1
                statuses.append("a")
            case .duplicate:
                duplicates += 1
                statuses.append("d")
            case .fork:
                forks += 1
                statuses.append("f")
                problems.append(
                    PushProblem(
                        index: index, id: id.hex, status: "fork", code: "fork",
                        message: "another event of this author at this seq is stored; both are kept as evidence"))
            case .rejected(let error):
                rejected += 1
                statuses.append("r")
                problems.append(PushProblem(index: index, id: id.hex, status: "rejected", code: error.code, message: error.description))
            }
        }
    }

    /// Verifies every event (signatures on all cores), then stores the valid ones in one transaction.
    /// Idempotent: events already stored are reported as duplicates.
    @Sendable func push(_ request: Request, context: RelayContext) async throws -> Response {
        let start = ContinuousClock.now
        guard let signer = context.signer else { throw RelayError.unauthorized("unsigned request") }
        let body = try await request.body.collect(upTo: context.maxUploadSize)
        let frames: [(bytes: [UInt8], signature: [UInt8])]
        do {
            frames = try EventFrames.split(Array(buffer: body), maxEvents: state.configuration.maxEventsPerPush)
        } catch {
            state.metrics.rejected(error.code).increment()
            throw RelayError.badRequest(error.code, error.description)
        }
        let store = state.store
        let turns = state.turns
        let ticket = turns.ticket()
        let (log, ledger) = (state.log, state.ledger)
        let chunks = PushChunks(frames, signer: signer, configuredTeam: state.configuration.team)
        let response = try await onOwnThread { () throws -> PushResponse in
            defer { turns.done(ticket) }
            // This push's first signatures are checked while earlier pushes are stored.
            chunks.checkFirst()
            turns.wait(for: ticket)
            let response = chunks.response(try store.ingest { chunks.next() })
            // The log grows before the answer, so every acknowledged event has a position (SPEC 6.17).
            if let team = try ledger.team() { try log.catchUp(ledger: ledger, team: team) }
            return response
        }
        state.metrics.accepted.increment(by: Int64(response.accepted + response.forks))
        state.metrics.duplicates.increment(by: Int64(response.duplicates))
        for p in response.problems where p.status == "rejected" { state.metrics.rejected(p.code ?? "unknown").increment() }
        state.metrics.pushSeconds.recordNanoseconds((ContinuousClock.now - start).nanoseconds)
        return try JSONResponse.make(response)
    }

    /// A page of events after the cursor, as frames; `X-Mledger-Cursor` is where the next page starts.
    @Sendable func pull(_ request: Request, context: RelayContext) async throws -> Response {
        let start = ContinuousClock.now
        let query = request.uri.queryParameters
        guard let after = query["after"].map({ Int64(String($0)) }) ?? 0, after >= 0 else {
            throw RelayError.badRequest("bad_cursor", "'after' must be a cursor from an earlier pull (0 to start)")
        }
        guard let requested = query["limit"].map({ Int(String($0)) }) ?? 5000, requested > 0 else {
            throw RelayError.badRequest("bad_limit", "'limit' must be a positive number of events")
        }
        let limit = min(requested, state.configuration.maxPullPage)
        let (ledger, log) = (state.ledger, state.log)
        // Pages come from the relay's own ledger, which on a shared database holds the shared order at the
        // same positions (`CatchUp` brought it up to date), so pages and log positions always agree.
        let (page, positions) = try await offload { () throws -> (EventPage, LogPositions?) in
            guard let team = try ledger.team() else { return (EventPage(try ledger.frames(after: after, limit: limit)), nil) }
            return try LogPositions.page(after: after, limit: limit, ledger: ledger, log: log, team: team)
        }
        state.metrics.pullSeconds.recordNanoseconds((ContinuousClock.now - start).nanoseconds)
        var headers = HTTPFields()
        positions?.add(to: &headers)
        headers[.contentType] = EventFrames.contentType
        headers[HTTPField.Name("X-Mledger-Cursor")!] = String(page.cursor)
        headers[HTTPField.Name("X-Mledger-Count")!] = String(page.count)
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: page.frames)))
    }

    struct FrontierResponse: Codable, Sendable {
        var team: String?
        var authors: [String: UInt64]
    }

    /// Per author the highest seq the relay holds, so a client pushes only what the relay lacks.
    @Sendable func frontier(_ request: Request, context: RelayContext) async throws -> Response {
        let ledger = state.ledger
        let team = try await offload { try ledger.team() }
        let authors = try await state.store.frontier()
        return try JSONResponse.make(
            FrontierResponse(team: team?.hex, authors: Dictionary(uniqueKeysWithValues: authors.map { ($0.key.hex, $0.value) })))
    }
}

enum JSONResponse {
    static func make<T: Encodable>(_ value: T, status: HTTPResponse.Status = .ok) throws -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return Response(
            status: status, headers: [.contentType: "application/json"],
            body: .init(byteBuffer: ByteBuffer(bytes: try encoder.encode(value))))
    }
}

extension Duration {
    var nanoseconds: Int64 { components.seconds * 1_000_000_000 + components.attoseconds / 1_000_000_000 }
}
