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

    /// One answer per pushed event, in push order.
    struct PushResult: Codable, Sendable {
        var id: String
        var status: String
        var code: String?
        var message: String?
    }

    struct PushResponse: Codable, Sendable {
        var accepted: Int
        var duplicates: Int
        var forks: Int
        var rejected: Int
        var results: [PushResult]
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
        let team = state.configuration.team
        let ledger = state.ledger
        let response = try await offload { () throws -> PushResponse in
            let decoded = SignedEvent.decodeAll(frames)
            let valid = decoded.compactMap { try? $0.get() }
            if let team, let genesis = valid.first(where: { $0.envelope.kind == .teamGenesis }), genesis.id != team {
                throw RelayError.forbidden("this relay serves team \(team.short), not \(genesis.id.short)")
            }
            if try ledger.team() == nil, let genesis = valid.first(where: { $0.envelope.kind == .teamGenesis }), genesis.envelope.author != signer {
                throw RelayError.forbidden("a team's genesis is pushed by its founder")
            }
            let outcomes = try ledger.ingest(valid, signaturesVerified: true, enforceRoles: true)
            var response = PushResponse(accepted: 0, duplicates: 0, forks: 0, rejected: 0, results: [])
            for item in decoded {
                switch item {
                case .failure(let failure):
                    response.rejected += 1
                    response.results.append(PushResult(id: failure.id.hex, status: "rejected", code: failure.error.code, message: failure.error.description))
                case .success(let event):
                    switch outcomes[event.id] ?? .rejected(.malformed("not processed")) {
                    case .accepted: response.accepted += 1; response.results.append(PushResult(id: event.id.hex, status: "accepted"))
                    case .duplicate: response.duplicates += 1; response.results.append(PushResult(id: event.id.hex, status: "duplicate"))
                    case .fork: response.forks += 1; response.results.append(PushResult(id: event.id.hex, status: "fork"))
                    case .rejected(let error):
                        response.rejected += 1
                        response.results.append(PushResult(id: event.id.hex, status: "rejected", code: error.code, message: error.description))
                    }
                }
            }
            return response
        }
        state.metrics.accepted.increment(by: Int64(response.accepted + response.forks))
        state.metrics.duplicates.increment(by: Int64(response.duplicates))
        for r in response.results where r.status == "rejected" { state.metrics.rejected(r.code ?? "unknown").increment() }
        state.metrics.pushSeconds.recordNanoseconds((ContinuousClock.now - start).nanoseconds)
        return try JSONResponse.make(response)
    }

    /// A page of events after the cursor, as frames; `X-Mledger-Cursor` is where the next page starts.
    @Sendable func pull(_ request: Request, context: RelayContext) async throws -> Response {
        let start = ContinuousClock.now
        let after = request.uri.queryParameters.get("after", as: Int64.self) ?? 0
        let limit = min(max(1, request.uri.queryParameters.get("limit", as: Int.self) ?? 5000), state.configuration.maxPullPage)
        guard after >= 0 else { throw RelayError.badRequest("bad_cursor", "'after' must be a cursor from an earlier pull (0 to start)") }
        let ledger = state.ledger
        let page = try await offload { try ledger.frames(after: after, limit: limit) }
        state.metrics.pullSeconds.recordNanoseconds((ContinuousClock.now - start).nanoseconds)
        var headers = HTTPFields()
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
        let response = try await offload {
            FrontierResponse(team: try ledger.team()?.hex,
                             authors: Dictionary(uniqueKeysWithValues: try ledger.frontier().map { ($0.key.hex, $0.value) }))
        }
        return try JSONResponse.make(response)
    }
}

enum JSONResponse {
    static func make<T: Encodable>(_ value: T, status: HTTPResponse.Status = .ok) throws -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return Response(status: status, headers: [.contentType: "application/json"],
                        body: .init(byteBuffer: ByteBuffer(bytes: try encoder.encode(value))))
    }
}

extension Duration {
    var nanoseconds: Int64 { components.seconds * 1_000_000_000 + components.attoseconds / 1_000_000_000 }
}
