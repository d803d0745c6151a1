import Foundation
import LedgerProtocol
import LedgerStore
import LedgerSync
import LedgerTestSupport
import Testing

/// A real relay keeps its arrival order as a Merkle log (SPEC 6.17, SYNC 15): what it serves hashes to
/// the checkpoints it signs, every event has a verifiable inclusion proof, later checkpoints are
/// consistent with earlier ones, and all of it survives a kill -9 and a restart.
@Suite struct TransparencyLogTests {
    struct Verified {
        var checkpoint: Checkpoint
        var key: PublicKey
    }

    /// Fetches and checks the relay's latest checkpoint with the key it announces.
    static func checkpoint(_ client: RelayClient) async throws -> Verified {
        let vkey = try #require(try await client.logKey())
        let (origin, key) = try SignedNote.parseVerifierKey(vkey)
        let (checkpoint, _) = try Checkpoint.verified(note: try await client.checkpoint(), origin: origin, key: key)
        return Verified(checkpoint: checkpoint, key: key)
    }

    /// Pulls everything in small pages; each page's log place must continue the leaves pulled so far.
    static func pullAll(_ client: RelayClient) async throws -> (frontier: MerkleFrontier, ids: [LedgerID]) {
        var frontier = MerkleFrontier()
        var ids = [LedgerID]()
        var cursor: Int64 = 0
        while true {
            let page = try await client.pull(after: cursor, limit: 7)
            if page.frames.isEmpty { break }
            #expect(page.log?.first == frontier.size, "a page starts where the previous one ended in the log")
            for frame in page.frames {
                let event = try SignedEvent(bytes: frame.bytes, signature: frame.signature)
                ids.append(event.id)
                frontier.append(MerkleHashing.leaf(event: event.id))
            }
            cursor = page.cursor
        }
        return (frontier, ids)
    }

    /// A relay started for a team it holds nothing of yet signs the empty log's checkpoint.
    @Test func aRelayWaitingForItsTeamServesTheEmptyLog() async throws {
        let admin = try CLI()
        try admin.ok("init", "--team", "vision", "--name", "Alice")
        let relay = try RelayProcess(team: try TeamFixture.team(of: admin))
        let client = try RelayClient(baseURL: try #require(URL(string: relay.url)), key: try TeamFixture.signingKey(of: admin))
        let empty = try await Self.checkpoint(client).checkpoint
        #expect(empty.size == 0 && empty.root == MerkleHashing.emptyRoot)
    }

    @Test func servedEventsHashToSignedCheckpointsAcrossARestart() async throws {
        let fixture = try TeamFixture()
        let run = try fixture.admin.initRunInExistingWorkspace()
        try fixture.admin.ok("run", "log-param", run, "lr=0.01")
        try fixture.admin.ok("sync")
        let client = try RelayClient(baseURL: try #require(URL(string: fixture.relay.url)), key: try TeamFixture.signingKey(of: fixture.admin))

        let first = try await Self.checkpoint(client)
        let pulled = try await Self.pullAll(client)
        #expect(first.checkpoint.size == UInt64(try fixture.relayEventCount()))
        #expect(pulled.frontier.size == first.checkpoint.size && pulled.frontier.root == first.checkpoint.root)
        for id in pulled.ids {
            let (index, proof) = try await client.inclusionProof(of: id, size: first.checkpoint.size)
            #expect(pulled.ids[Int(index)] == id)
            try MerkleProofs.verifyInclusion(
                leaf: MerkleHashing.leaf(event: id), index: index, size: first.checkpoint.size, proof: proof, root: first.checkpoint.root)
        }

        // More events, then kill -9 and a restart: the key stays, the log only grows.
        try fixture.admin.ok("run", "log-param", run, "batch=32")
        try fixture.admin.ok("model", "create", "digits")
        try fixture.admin.ok("sync")
        fixture.relay.kill9()
        try fixture.relay.start(port: fixture.relay.port)
        let second = try await Self.checkpoint(client)
        #expect(second.key == first.key)
        #expect(second.checkpoint.size == UInt64(try fixture.relayEventCount()) && second.checkpoint.size > first.checkpoint.size)
        let proof = try await client.consistencyProof(old: first.checkpoint.size, new: second.checkpoint.size)
        try MerkleProofs.verifyConsistency(
            old: first.checkpoint.size, new: second.checkpoint.size, oldRoot: first.checkpoint.root, newRoot: second.checkpoint.root, proof: proof)
        #expect(try await Self.pullAll(client).frontier.root == second.checkpoint.root)

        // Sizes beyond the log and unknown events are refused with their codes.
        await #expect(throws: SyncError.self) { try await client.consistencyProof(old: 1, new: second.checkpoint.size + 1) }
        await #expect(throws: SyncError.self) { try await client.inclusionProof(of: LedgerID.zero, size: 1) }
    }
}
