import Foundation
import GRDB
import LedgerModel
import LedgerProtocol
import Testing

@testable import LedgerStore

/// Runs the view vectors of protocol/vectors/events.json: each is a set of events and the team view it
/// must give (members, devices, the `production` register, the events that count nowhere), whatever the
/// order the events arrive in.
@Suite struct ViewVectorTests {
    struct Document: Decodable {
        struct Frame: Decodable {
            var bytes: String
            var signature: String
        }
        struct Alias: Decodable {
            var model: String
            var alias: String
            var heads: [String]
        }
        struct Device: Decodable {
            var member: String
            var revoked: Bool
        }
        struct Timeline: Decodable {
            var model: String
            var environment: String
            var stints: [String]
            var serving: String
        }
        struct Expect: Decodable {
            var members: [String: String]
            var devices: [String: Device]
            var aliases: [Alias]
            var held: [String]
            var deployments: [Timeline]?
        }
        struct View: Decodable {
            var name: String
            var events: [Frame]
            var expect: Expect
        }
        var views: [View]
    }

    @Test func everyViewVectorGivesItsViewInAnyArrivalOrder() throws {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../../protocol/vectors/events.json").standardizedFileURL
        let document = try JSONDecoder().decode(Document.self, from: Data(contentsOf: url))
        #expect(document.views.count >= 5)
        for view in document.views {
            let events = try view.events.map { f in
                try SignedEvent(bytes: try #require(Hex.decode(f.bytes)), signature: try #require(Hex.decode(f.signature)))
            }
            // In one batch; one by one as listed; and one by one with the genesis first, then every other
            // author's chain before the founder's (their events arrive before what makes them count).
            let founder = events[0].envelope.author
            let othersFirst =
                [events[0]] + events.dropFirst().filter { $0.envelope.author != founder }
                + events.dropFirst().filter { $0.envelope.author == founder }
            let orders: [[[SignedEvent]]] = [[events], events.map { [$0] }, othersFirst.map { [$0] }]
            for (n, batches) in orders.enumerated() {
                let t = try TemporaryLedger()
                for batch in batches { _ = try t.ledger.ingest(batch, nowMs: 1_767_225_600_000) }
                try check(view, t.ledger, "\(view.name), order \(n)")
            }
        }
    }

    func check(_ view: Document.View, _ ledger: Ledger, _ label: String) throws {
        let members = Dictionary(uniqueKeysWithValues: try ledger.members().map { ($0.author.key, $0.active ? $0.role ?? "" : "removed") })
        #expect(members == view.expect.members, "members: \(label)")
        let devices = try ledger.read { db in
            try Row.fetchAll(db, sql: "SELECT device, member, revoked FROM devices").map { row in
                (Hex.encode(row.bytes("device")), Document.Device(member: Hex.encode(row.bytes("member")), revoked: row["revoked"]))
            }
        }
        #expect(devices.count == view.expect.devices.count, "devices: \(label)")
        for (key, device) in devices {
            #expect(
                view.expect.devices[key]?.member == device.member && view.expect.devices[key]?.revoked == device.revoked, "device \(key): \(label)")
        }
        for alias in view.expect.aliases {
            let state = try ledger.aliases(model: try #require(LedgerID(hex: alias.model)))[alias.alias]
            #expect((state?.heads.map(\.event.hex) ?? []) == alias.heads, "\(alias.alias): \(label)")
        }
        let held = try ledger.read { db in try Row.fetchAll(db, sql: "SELECT event FROM held_events").map { Hex.encode($0.bytes("event")) } }
        #expect(held.sorted() == view.expect.held, "held: \(label)")
        for timeline in view.expect.deployments ?? [] {
            let stints = try ledger.stints(model: try #require(LedgerID(hex: timeline.model)), environment: timeline.environment)
            #expect(stints.map(\.entry.event.hex) == timeline.stints, "\(timeline.environment) timeline: \(label)")
            #expect(stints.last?.entry.version.hex == timeline.serving, "\(timeline.environment) serving: \(label)")
        }
    }
}
