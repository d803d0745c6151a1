import Foundation
import LedgerModel
import LedgerProtocol
import Testing

@testable import LedgerStore

/// Every client judges every event by the team as it stood at the event's place in the merge order,
/// whatever a relay let through. These feed a ledger that does not enforce roles on arrival (a client
/// behind a faulty or hostile relay) and check that its views change only as the rules allow.
@Suite struct AuthorityTests {
    let now: UInt64 = 1_767_225_600_000 + 10_000

    /// A scenario ingested into a fresh ledger, with the alias `production` set by Alice and Bob.
    func team(seed: UInt64) throws -> (Scenario, TemporaryLedger, (model: LedgerID, versions: [LedgerID], promotions: [LedgerID])) {
        var scenario = Scenario(seed: seed)
        let ids = scenario.workOffline(runsPerMember: 1)
        let t = try TemporaryLedger()
        _ = try t.ledger.ingest(scenario.events, nowMs: now)
        return (scenario, t, ids)
    }

    /// A key that is no member signs `events` as its own chain, each naming `heads` when given.
    func chain(of key: SigningKey, team: LedgerID, _ bodies: [(any BodyFields, [LedgerID])], nowMs: UInt64) -> [SignedEvent] {
        var writer = ChainWriter(key: key)
        return bodies.map { body, heads in writer.next(body, team: team, heads: heads, nowMs: nowMs) }
    }

    @Test func aSelfMadeAdminChangesNothingInAnyView() throws {
        let (scenario, t, ids) = try team(seed: 21)
        let before = try #require(try t.ledger.aliases(model: ids.model)["production"])
        let digest = try t.ledger.projectionDigest()
        let stranger = SigningKey(seed: [UInt8](repeating: 0x5e, count: 32))!
        let events = chain(
            of: stranger, team: scenario.team,
            [
                (MemberAdd(member: stranger.publicKey, role: .admin, name: "Mallory"), []),
                (AliasProtect(alias: "production", role: .admin), []),
                (MemberRemove(member: scenario.alice.publicKey, reason: "mine now"), []),
                (Promote(model: ids.model, version: ids.versions[0], alias: "production", reason: "trust me"), before.heads.map(\.event)),
                (ExperimentCreate(name: "mallory"), []),
            ], nowMs: now)
        let results = try t.ledger.ingest(events, nowMs: now)
        #expect(results.values.allSatisfy { $0 == .accepted }, "a client stores what it cannot judge yet")
        #expect(try t.ledger.aliases(model: ids.model)["production"] == before)
        #expect(try t.ledger.members().allSatisfy { $0.author.key != stranger.publicKey.hex })
        #expect(try t.ledger.members().contains { $0.author.key == scenario.alice.publicKey.hex && $0.role == "admin" && $0.active })
        #expect(try t.ledger.currentRole(of: stranger.publicKey) == nil)
        #expect(try t.ledger.experiments().map(\.name) == ["mnist"])
        let audit = try t.ledger.audit()
        #expect(audit.first { $0.event == events[0].id.hex }?.authorized == false)
        #expect(audit.first { $0.event == events[2].id.hex }?.authorized == false)
        // Nothing the stranger signed reached a view: all of it is stored and held, and the views are as before.
        #expect(try t.ledger.projectionDigest() == digest)
        try t.ledger.rebuild()
        let held = try t.ledger.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM held_events") }
        #expect(held == events.count)
        #expect(try t.ledger.projectionDigest() == digest)
        #expect(try t.ledger.verify().ok)
    }

    @Test func aRemovedDeviceKeyCountsNowhereAfterItsRemoval() throws {
        var (scenario, t, ids) = try team(seed: 22)
        let device = SigningKey(seed: [UInt8](repeating: 0xd1, count: 32))!
        scenario.add(scenario.bob, DeviceLink(linking: device, to: scenario.bob.publicKey, team: scenario.team, label: "laptop"))
        _ = try t.ledger.ingest(scenario.events, nowMs: now)
        var writer = ChainWriter(key: device)
        writer.observe(clock: scenario.events.last!.envelope.clock)
        let early = writer.next(ExperimentCreate(name: "from-laptop"), team: scenario.team, nowMs: now)
        _ = try t.ledger.ingest([early], nowMs: now)
        #expect(try t.ledger.currentRole(of: device.publicKey) == .maintainer)
        #expect(try t.ledger.experiments().map(\.name).contains("from-laptop"))

        // Alice revokes the laptop a second later, keeping what she saw of it.
        scenario.writers[scenario.alice.publicKey]?.observe(clock: early.envelope.clock + (1000 << 16))
        scenario.add(
            scenario.alice,
            MemberRemove(
                member: device.publicKey, reason: "laptop stolen",
                chainEnds: [ChainEnd(author: device.publicKey, seq: early.envelope.seq)]))
        _ = try t.ledger.ingest(scenario.events, nowMs: now)
        #expect(try t.ledger.currentRole(of: device.publicKey) == nil)
        #expect(try t.ledger.currentRole(of: scenario.bob.publicKey) == .maintainer, "Bob's own key and role stay")
        // The thief signs more, backdated to before the revocation and after it alike: nothing counts.
        let heads = try t.ledger.aliases(model: ids.model)["production"]?.heads.map(\.event) ?? []
        let backdated = writer.next(
            Promote(model: ids.model, version: ids.versions[0], alias: "production", reason: "stolen"),
            team: scenario.team, heads: heads, nowMs: 0)
        let later = writer.next(ExperimentCreate(name: "thief"), team: scenario.team, nowMs: now + 2000)
        let removal = try #require(scenario.events.last)
        #expect(OrderKey(backdated) < OrderKey(removal) && OrderKey(removal) < OrderKey(later))
        #expect(try t.ledger.ingest([later, backdated], nowMs: now + 2000).values.allSatisfy { $0 == .accepted })
        #expect(!(try t.ledger.experiments().map(\.name).contains("thief")))
        #expect(try t.ledger.aliases(model: ids.model)["production"]?.heads.map(\.event) == heads)
        #expect(try t.ledger.experiments().map(\.name).contains("from-laptop"), "what the admin kept stays")
        // A relay refuses the same events on arrival.
        let relay = try TemporaryLedger()
        _ = try relay.ledger.ingest(scenario.events + [early], nowMs: now, enforceRoles: true)
        let refused = try relay.ledger.ingest([later, backdated], nowMs: now + 2000, enforceRoles: true)
        #expect(refused[backdated.id].map { if case .rejected(.forbidden) = $0 { true } else { false } } == true)
        #expect(refused[later.id] != .accepted)
    }

    /// Bob signs after his removal with clocks from before it. Whichever arrives first, removal or his
    /// backdated events, every view ends the same, and none of those events counts.
    @Test func backdatedEventsAfterARemovalCountNowhereInAnyArrivalOrder() throws {
        var (scenario, t, ids) = try team(seed: 23)
        let bobHead = try #require(scenario.events.last { $0.envelope.author == scenario.bob.publicKey })
        let heads = try t.ledger.aliases(model: ids.model)["production"]?.heads.map(\.event) ?? []
        let maxClock = try #require(scenario.events.map(\.envelope.clock).max())
        scenario.writers[scenario.alice.publicKey]?.observe(clock: maxClock)
        let removal = scenario.add(
            scenario.alice,
            MemberRemove(
                member: scenario.bob.publicKey, reason: "left",
                chainEnds: [ChainEnd(author: scenario.bob.publicKey, seq: bobHead.envelope.seq)]))
        // Bob's next events carry clocks just above his own last one: before the removal in merge order.
        var bob = scenario.writers[scenario.bob.publicKey]!
        let backdated = [
            bob.next(
                Promote(model: ids.model, version: ids.versions[1], alias: "production", reason: "backdated"),
                team: scenario.team, heads: heads, nowMs: 0),
            bob.next(ModelCreate(name: "bobs-model"), team: scenario.team, nowMs: 0),
            bob.next(
                DeviceLink(linking: SigningKey(seed: [UInt8](repeating: 0xd2, count: 32))!, to: scenario.bob.publicKey, team: scenario.team),
                team: scenario.team, nowMs: 0),
        ]
        #expect(backdated.allSatisfy { $0.envelope.clock < removal.envelope.clock })
        var digests = Set<LedgerID>()
        for order in [[removal] + backdated, backdated + [removal]] {
            let fresh = try TemporaryLedger()
            _ = try fresh.ledger.ingest(Array(scenario.events.dropLast()), nowMs: now)
            for event in order { _ = try fresh.ledger.ingest([event], nowMs: now) }
            #expect(try fresh.ledger.aliases(model: ids.model)["production"]?.heads.map(\.event) == heads)
            #expect(try fresh.ledger.models().map(\.name) == ["digits"])
            #expect(try fresh.ledger.currentRole(of: scenario.bob.publicKey) == nil)
            #expect(try fresh.ledger.verify().ok)
            digests.insert(try fresh.ledger.projectionDigest())
        }
        #expect(digests.count == 1)
        #expect(try t.ledger.aliases(model: ids.model)["production"]?.heads.map(\.event) == heads)
    }

    @Test func identifiersMustBeNFCAndInputIsNormalized() throws {
        let composed = "pr\u{E9}prod"
        let decomposed = "pre\u{301}prod"
        #expect(composed != decomposed || composed.utf8.count != decomposed.utf8.count)
        let model = Hashing.blake2b256([1])
        let version = Hashing.blake2b256([2])
        // Bytes in another form are refused by every receiver...
        let raw = CBOR.map(["model": .bytes(model.bytes), "version": .bytes(version.bytes), "alias": .text(decomposed), "reason": .text("r")])
            .encoded()
        #expect(throws: EventError.self) { try EventBody.decode(kind: .promote, bytes: raw) }
        // ...and what people type is normalized before it is signed, so the protection applies.
        #expect(Array(Promote(model: model, version: version, alias: decomposed, reason: "r").alias.utf8) == Array(composed.utf8))
        #expect(Array(AliasProtect(alias: decomposed, role: .maintainer).alias.utf8) == Array(composed.utf8))
        #expect(EntityID.model(team: model, name: decomposed) == EntityID.model(team: model, name: composed))
        let params = RunParams(run: model, params: [decomposed: "1"]).params
        #expect(params.keys.map { Array($0.utf8) } == [Array(composed.utf8)])
    }

    @Test func aProtectedAliasCannotBeMovedUnderAnotherSpelling() throws {
        var (scenario, t, ids) = try team(seed: 25)
        scenario.add(scenario.alice, AliasProtect(alias: "pr\u{E9}prod", role: .maintainer))
        _ = try t.ledger.ingest(scenario.events, nowMs: now)
        // Carol, a writer, through the only door there is: a normalized body.
        let refused = try? t.ledger.append(
            try .init(Promote(model: ids.model, version: ids.versions[0], alias: "pre\u{301}prod", reason: "r")),
            signer: scenario.carol)
        #expect(refused == nil)
        #expect(try t.ledger.aliases(model: ids.model)["pr\u{E9}prod"] == nil)
    }

    /// A forked chain keeps its evidence and a short stretch after it; beyond that, every receiver refuses
    /// new events and none counts, even those stored before the fork was known.
    @Test func aForkedChainIsBounded() throws {
        let (scenario, t, _) = try team(seed: 26)
        var original = scenario.writers[scenario.carol.publicKey]!
        let forkSeq = original.seq + 1
        var restored = original
        var longBranch = [SignedEvent]()
        for i in 0..<40 { longBranch.append(original.next(ExperimentCreate(name: "long-\(i)"), team: scenario.team, nowMs: now)) }
        _ = try t.ledger.ingest(longBranch, nowMs: now)
        #expect(try t.ledger.experiments().contains { $0.name == "long-39" })
        let other = restored.next(ExperimentCreate(name: "restored"), team: scenario.team, nowMs: now)
        #expect(try t.ledger.ingest([other], nowMs: now)[other.id] == .fork)
        let names = Set(try t.ledger.experiments().map(\.name))
        #expect(names.contains("long-\(ForkBound.seqsPastFork)"))
        #expect(!names.contains("long-\(ForkBound.seqsPastFork + 1)"), "past the bound nothing counts")
        // A third event at the forked seq, and events past the bound, are refused.
        var third = ChainWriter(key: scenario.carol, seq: forkSeq - 1, prev: longBranch[0].envelope.prev, clock: 0)
        let triple = third.next(ExperimentCreate(name: "third"), team: scenario.team, nowMs: now)
        #expect(try t.ledger.ingest([triple], nowMs: now)[triple.id].map { if case .rejected(.forkedChain) = $0 { true } else { false } } == true)
        let fresh = try TemporaryLedger()
        _ = try fresh.ledger.ingest(scenario.events + [other], nowMs: now)
        let results = try fresh.ledger.ingest(longBranch, nowMs: now)
        #expect(results.values.filter { if case .rejected(.forkedChain) = $0 { true } else { false } }.count == 40 - Int(ForkBound.seqsPastFork) - 1)
        #expect(Set(try fresh.ledger.experiments().map(\.name)) == names, "what counts is the same on both")
        #expect(try fresh.ledger.verify().ok)
    }
}

/// A lost laptop: a member revokes their own device, or replaces their member key (issue: lost laptop).
@Suite struct LostLaptopTests {
    let now: UInt64 = 1_767_225_600_000 + 10_000

    /// Carol (a writer) links a laptop, logs from it, then revokes it herself; the thief signs on, dated
    /// before and after the revocation. Whatever order the events reach a ledger, the views agree.
    @Test func aMemberRevokesTheirOwnDeviceAndEveryOrderAgrees() throws {
        var scenario = Scenario(seed: 31)
        let ids = scenario.workOffline(runsPerMember: 1)
        let laptop = SigningKey(seed: [UInt8](repeating: 0x1a, count: 32))!
        scenario.add(scenario.carol, DeviceLink(linking: laptop, to: scenario.carol.publicKey, team: scenario.team, label: "laptop"))
        var device = ChainWriter(key: laptop)
        device.observe(clock: scenario.events.last!.envelope.clock)
        let before = device.next(ExperimentCreate(name: "before the loss"), team: scenario.team, nowMs: 0)
        scenario.writers[scenario.carol.publicKey]?.observe(clock: before.envelope.clock + (1000 << 16))
        let revoke = scenario.add(
            scenario.carol,
            MemberRemove(
                member: laptop.publicKey, reason: "laptop stolen",
                chainEnds: [ChainEnd(author: laptop.publicKey, seq: 1)]))
        let backdated = device.next(
            Promote(model: ids.model, version: ids.versions[0], alias: "staging", reason: "thief"), team: scenario.team, nowMs: 0)
        let later = device.next(ExperimentCreate(name: "thief"), team: scenario.team, nowMs: now)
        #expect(OrderKey(backdated) < OrderKey(revoke))
        let base = scenario.events.filter { $0.id != revoke.id }
        var digests = Set<LedgerID>()
        for order in [[before, revoke, backdated, later], [before, backdated, later, revoke], [revoke, before, backdated, later]] {
            let t = try TemporaryLedger()
            _ = try t.ledger.ingest(base, nowMs: now)
            for event in order { _ = try t.ledger.ingest([event], nowMs: now) }
            let names = try t.ledger.experiments().map(\.name)
            #expect(names.contains("before the loss") && !names.contains("thief"))
            #expect(try t.ledger.aliases(model: ids.model)["staging"] == nil)
            #expect(try t.ledger.currentRole(of: laptop.publicKey) == nil)
            #expect(try t.ledger.currentRole(of: scenario.carol.publicKey) == .writer)
            #expect(Set(try t.ledger.heldEvents().map(\.event)) == [backdated.id.hex, later.id.hex])
            digests.insert(try t.ledger.projectionDigest())
        }
        #expect(digests.count == 1)
        // Carol may revoke her own device, not Bob's.
        let relay = try TemporaryLedger()
        _ = try relay.ledger.ingest(base + [before], nowMs: now, enforceRoles: true)
        #expect(try relay.ledger.ingest([revoke], nowMs: now, enforceRoles: true)[revoke.id] == .accepted)
    }

    /// Bob's new key replaces his old one: same name, role and devices; his old events still count, and
    /// the old key's later ones do not. Without the old key's consent the rotation changes nothing.
    @Test func aRotationKeepsTheMemberAndRetiresTheOldKey() throws {
        var scenario = Scenario(seed: 32)
        _ = scenario.workOffline(runsPerMember: 1)
        let desktop = SigningKey(seed: [UInt8](repeating: 0xde, count: 32))!
        scenario.add(scenario.bob, DeviceLink(linking: desktop, to: scenario.bob.publicKey, team: scenario.team, label: "desktop"))
        let bobHead = scenario.writers[scenario.bob.publicKey]!
        let fresh = SigningKey(seed: [UInt8](repeating: 0xfe, count: 32))!
        let consent = scenario.bob.sign(KeyRotation.message(team: scenario.team, old: scenario.bob.publicKey, new: fresh.publicKey))
        let forged = scenario.alice.sign(KeyRotation.message(team: scenario.team, old: scenario.bob.publicKey, new: fresh.publicKey))
        scenario.writers[scenario.alice.publicKey]?.observe(clock: bobHead.clock + (1000 << 16))
        let refused = scenario.add(
            scenario.alice,
            MemberAdd(
                member: fresh.publicKey, role: .maintainer,
                rotation: KeyRotation(replaces: scenario.bob.publicKey, consent: forged, chainEnd: bobHead.seq)))
        let rotation = scenario.add(
            scenario.alice,
            MemberAdd(
                member: fresh.publicKey, role: .maintainer,
                rotation: KeyRotation(replaces: scenario.bob.publicKey, consent: consent, chainEnd: bobHead.seq)))
        var oldKey = bobHead
        let afterRetire = oldKey.next(ExperimentCreate(name: "old key, backdated"), team: scenario.team, nowMs: 0)
        var desk = ChainWriter(key: desktop)
        desk.observe(clock: rotation.envelope.clock)
        let fromDesktop = desk.next(ExperimentCreate(name: "desktop after the rotation"), team: scenario.team, nowMs: 0)
        let t = try TemporaryLedger()
        _ = try t.ledger.ingest(scenario.events + [afterRetire, fromDesktop], nowMs: now)
        let members = try t.ledger.members()
        let new = try #require(members.first { $0.author.key == fresh.publicKey.hex })
        #expect(new.role == "maintainer" && new.active && new.author.name == "Bob")
        let old = try #require(members.first { $0.author.key == scenario.bob.publicKey.hex })
        #expect(!old.active && old.replacedBy?.key == fresh.publicKey.hex)
        #expect(try t.ledger.member(of: desktop.publicKey) == fresh.publicKey)
        let names = try t.ledger.experiments().map(\.name)
        #expect(names.contains("desktop after the rotation") && !names.contains("old key, backdated"))
        #expect(try t.ledger.runs().contains { $0.author.key == scenario.bob.publicKey.hex }, "Bob's history stays")
        let audit = try t.ledger.audit()
        #expect(audit.first { $0.event == refused.id.hex }?.authorized == false)
        #expect(audit.first { $0.event == rotation.id.hex }?.text?.contains("replacing Bob") == true)
        #expect(try t.ledger.verify().ok)
    }
}
