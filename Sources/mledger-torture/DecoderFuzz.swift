import LedgerProcesses
import LedgerProtocol

/// Feeds mutated request bodies and events to the decoders in-process: framing, envelope, signature
/// check, CBOR and every body kind. Nothing may crash, and an envelope that decodes must be canonical (its
/// re-encoding gives back exactly its bytes) and a body must survive a re-encoding unchanged.
enum DecoderFuzz {
    static func run(corpus: [[UInt8]], iterations: Int, rng: inout SplitMix, tally: Tally) {
        // Small inputs: the oversized ones are refused by their length before any decoding.
        let seeds = corpus.filter { !$0.isEmpty && $0.count <= 64 << 10 }
        guard !seeds.isEmpty else { return tally.fail("decoder fuzzing had no corpus") }
        var decoded = 0
        for _ in 0..<iterations {
            let input = mutate(seeds.randomElement(using: &rng) ?? [], using: &rng)
            // Whole bodies through the framing, and single frames straight to the envelope decoder.
            let frames = (try? EventFrames.split(input)) ?? [(bytes: Array(input.dropLast(min(64, input.count))), signature: Array(input.suffix(64)))]
            for frame in frames {
                guard let event = try? SignedEvent(bytes: frame.bytes, signature: frame.signature, verifySignature: false) else {
                    _ = try? CBOR.decode(frame.bytes)
                    continue
                }
                decoded += 1
                _ = event.hasValidSignature()
                if event.envelope.encoded() != frame.bytes {
                    tally.fail(
                        "envelope decoded from \(frame.bytes.count) bytes re-encodes differently (not canonical): \(Hex.encode(frame.bytes.prefix(160)))"
                    )
                }
                // Unknown fields are ignored and null is absence (SPEC 5.2), so a body need not re-encode to its
                // bytes; what was understood must survive a re-encoding unchanged.
                if let body = try? event.body(), (try? EventBody.decode(kind: event.envelope.kind, bytes: body.fields.encoded())) != body {
                    tally.fail("\(event.envelope.kind.rawValue) body changes when re-encoded: \(Hex.encode(event.envelope.body.prefix(160)))")
                }
            }
        }
        tally.add(inputs: iterations, as: "decoder inputs")
        tally.check(decoded > 0, "no mutated input decoded at all: the mutations are too coarse to reach the body decoders")
    }

    /// One to four random edits: bit flips, byte overwrites with edge values, insertions, deletions,
    /// truncation, duplicated slices, and length fields set to extremes.
    static func mutate(_ input: [UInt8], using rng: inout SplitMix) -> [UInt8] {
        var out = input
        for _ in 0..<Int.random(in: 1...4, using: &rng) {
            guard !out.isEmpty else {
                out = [UInt8.random(in: 0...255, using: &rng)]
                continue
            }
            let i = Int.random(in: 0..<out.count, using: &rng)
            switch Int.random(in: 0..<7, using: &rng) {
            case 0: out[i] ^= UInt8(1) << UInt8.random(in: 0...7, using: &rng)
            case 1: out[i] = [0x00, 0xff, 0x7f, 0x80, 0x1b, 0x5f, 0x9f, 0xbf, 0xf7, 0xfb].randomElement(using: &rng) ?? 0
            case 2: out.insert(UInt8.random(in: 0...255, using: &rng), at: i)
            case 3: out.removeSubrange(i..<min(out.count, i + Int.random(in: 1...16, using: &rng)))
            case 4: out = Array(out.prefix(i))
            case 5:
                let end = min(out.count, i + Int.random(in: 1...64, using: &rng))
                out.insert(contentsOf: out[i..<end], at: Int.random(in: 0...out.count, using: &rng))
            default:
                let width = min(4, out.count - i)
                for k in 0..<width { out[i + k] = Bool.random(using: &rng) ? 0xff : 0x00 }
            }
        }
        return out
    }
}
