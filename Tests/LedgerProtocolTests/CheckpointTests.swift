import Testing

@testable import LedgerProtocol

/// Signed notes and checkpoints in the C2SP formats, checked against the specs' own examples.
@Suite struct CheckpointTests {
    @Test func verifiesTheSignedNoteSpecExample() throws {
        // c2sp.org/signed-note: the vkey and the note it verifies.
        let vkey = "example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k"
        let note =
            "This is an example message.\n\n\u{2014} example.com/foo Uw2QOkn8srV1yJGh2VYRlL1Tnagv1YEq6TfXppzi2ONncAlTgK7Ztg1ERYNZXsYjOBH3mFXmRKuwHjG1Yu72IneyaQM=\n"
        let key = try #require(PublicKey(hex: "e932791ae6e7a840a46164c904786426d5e7821dd8b29a00d61cae72afdd4da4"))
        #expect(SignedNote.verifierKey(name: "example.com/foo", key: key) == vkey)
        let parsedKey = try SignedNote.parseVerifierKey(vkey)
        #expect(parsedKey.name == "example.com/foo" && parsedKey.key == key)
        for bad in [
            "example.com/foo+530d903b+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k", "example.com/foo+530d903a",
            "+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k",
        ] {
            #expect(throws: TransparencyError.self) { try SignedNote.parseVerifierKey(bad) }
        }
        // Base64 keys often hold a '+' of their own.
        let keys = try (0..<32).map { try #require(SigningKey(seed: [UInt8](repeating: $0, count: 32))).publicKey }
        #expect(keys.contains { SignedNote.verifierKey(name: "n", key: $0).split(separator: "+").count > 3 })
        for key in keys { #expect(try SignedNote.parseVerifierKey(SignedNote.verifierKey(name: "n", key: key)).key == key) }
        let parsed = try SignedNote(parsing: note)
        #expect(parsed.text == "This is an example message.\n")
        try parsed.verify(name: "example.com/foo", key: key)
        #expect(parsed.encoded == note)
        #expect(throws: TransparencyError.badSignature(key: key.fingerprint)) {
            try SignedNote(parsing: note.replacingOccurrences(of: "example message", with: "exemplary note")).verify(
                name: "example.com/foo", key: key)
        }
    }

    @Test func parsesTheCheckpointSpecExample() throws {
        let text = "example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n"
        let checkpoint = try Checkpoint(text: text)
        #expect(checkpoint.origin == "example.com/behind-the-sofa")
        #expect(checkpoint.size == 20_852_163)
        #expect(checkpoint.text == text)
    }

    @Test func signsAndVerifiesACheckpoint() throws {
        let key = try #require(SigningKey(seed: [UInt8](repeating: 7, count: 32)))
        let origin = Checkpoint.origin(team: try #require(LedgerID(bytes: [UInt8](repeating: 9, count: 32))))
        let checkpoint = Checkpoint(origin: origin, size: 42, root: Hashing.sha256(Array("root".utf8)))
        let note = checkpoint.signed(with: key).encoded
        let (read, _) = try Checkpoint.verified(note: note, origin: origin, key: key.publicKey)
        #expect(read == checkpoint)
        // Another key, another origin, a changed size, and broken texts are refused.
        let other = try #require(SigningKey(seed: [UInt8](repeating: 8, count: 32)))
        #expect(throws: TransparencyError.self) { try Checkpoint.verified(note: note, origin: origin, key: other.publicKey) }
        #expect(throws: TransparencyError.self) { try Checkpoint.verified(note: note, origin: "mledger.log/other", key: key.publicKey) }
        #expect(throws: TransparencyError.self) {
            try Checkpoint.verified(note: note.replacingOccurrences(of: "\n42\n", with: "\n43\n"), origin: origin, key: key.publicKey)
        }
        for bad in ["", "a\n1\n", "a\n01\n\(String(repeating: "A", count: 43))=\n", "a\n1\nAAAA\n", "a\n-1\nAAAA\n"] {
            #expect(throws: TransparencyError.self) { try Checkpoint(text: bad) }
        }
        for bad in [
            "no signatures\n", "text\n\n\u{2014} name\n", "text\n\n- name AAAAAAAA\n", "text\n\n\u{2014} a+b AAAAAAAA\n",
            "te\u{7}xt\n\n\u{2014} n AAAAAAAA\n",
        ] {
            #expect(throws: TransparencyError.self) { try SignedNote(parsing: bad) }
        }
        // Signatures of unknown keys are ignored, not refused.
        var cosigned = try SignedNote(parsing: note)
        cosigned.signatures.append(NoteSignature(name: "witness.example", keyID: 1, signature: [UInt8](repeating: 0, count: 64)))
        try SignedNote(parsing: cosigned.encoded).verify(name: origin, key: key.publicKey)
    }
}
