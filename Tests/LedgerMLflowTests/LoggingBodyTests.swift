import Foundation
import Testing

@testable import LedgerMLflow

/// The logging bodies are read by hand (`JSONReader`), so these check them against the JSON standard
/// and against JSONDecoder: every double bit for bit, protobuf's string forms, and bad bodies refused
/// with the field they failed at.
@Suite struct LoggingBodyTests {
    /// Doubles as Python's repr writes them (shortest round trip) and with 17 significant digits, from
    /// random bit patterns and the extremes.
    static let doubles: [Double] = {
        var generator = SystemRandomNumberGenerator()
        var values: [Double] = [
            0.1, 1.0 / 3, .leastNonzeroMagnitude, .leastNormalMagnitude, Double.leastNormalMagnitude.nextDown, .greatestFiniteMagnitude,
            -0.0, 0, 9_007_199_254_740_992, Double(9_007_199_254_740_992).nextUp, 0.7408182206817179, 1e-7, 100,
        ]
        while values.count < 3000 {
            let v = Double(bitPattern: generator.next())
            if v.isFinite { values.append(v) }
        }
        return values
    }()

    /// Texts that are not any double's shortest form: halfway cases, long mantissas, subnormals.
    static let hardTexts = [
        "2.2250738585072011e-308", "2.2250738585072012e-308", "4.9406564584124654e-324", "2.4703282292062328e-324", "9007199254740993",
        "0.30000000000000004441", "1e23", "8.98846567431158e307", "1.00000000000000011102230246251565404236316680908203125",
        "123456789012345678901234567890", "0.000000000000000000000000000000000000001", "-1.5e-320", "179769313486231580793728971405301e276",
    ]

    /// What training loops log: short decimals, fractions, small integers, exponents (the fast path).
    static let typicalTexts =
        (0..<2000).map { "\(Double($0) / 1e6)" } + (0..<2000).map { "\(1.0 / Double($0 + 1))" }
        + ["1.5", "-0.0", "0", "-7", "0.000123", "1E5", "2.5e+3", "1e-22", "1e22", "123456789.125", "9007199254740992", "4503599627370497.5"]

    @Test func everyDoubleReadsBackBitForBit() throws {
        let formats = [Self.doubles.map { "\($0)" }, Self.doubles.map { String(format: "%.17g", $0) }]
        for texts in formats + [Self.hardTexts, Self.typicalTexts] {
            let metrics = texts.enumerated().map { #"{"key": "loss", "value": \#($1), "step": \#($0), "timestamp": 1700000000123}"# }
            let body = Array(#"{"run_id": "r", "metrics": [\#(metrics.joined(separator: ","))]}"#.utf8)
            let batch = try LoggingBody.batch(body)
            let reference = try JSONDecoder().decode(Reference.self, from: Data(body))
            #expect(batch.metrics.count == texts.count)
            for (i, m) in batch.metrics.enumerated() {
                #expect(m.value?.bitPattern == Double(texts[i])?.bitPattern, "\(texts[i])")
                #expect(m.value?.bitPattern == reference.metrics[i].value.bitPattern, "\(texts[i]) differs from JSONDecoder")
                #expect(m.step == Int64(i) && m.timestamp == 1_700_000_000_123 && m.key == "loss")
            }
        }
        for (i, text) in formats[0].enumerated() { #expect(Double(text)?.bitPattern == Self.doubles[i].bitPattern) }
    }

    struct Reference: Decodable {
        struct Point: Decodable { var value: Double }
        var metrics: [Point]
    }

    @Test func protobufStringFormsAndNulls() throws {
        let body = #"""
            {"run_uuid": "abc", "key": "k", "value": "-Infinity", "step": "-12", "timestamp": null, "model_id": {"a": [1, {"b": null}]}}
            """#
        let m = try LoggingBody.metric(Array(body.utf8))
        #expect(m == LoggingBody.Metric(runID: nil, runUUID: "abc", key: "k", value: -.infinity, timestamp: nil, step: -12))
        for (text, expected) in [("NaN", Double.nan), ("Infinity", .infinity), ("0.25", 0.25)] {
            let v = try LoggingBody.metric(Array(#"{"key": "k", "value": "\#(text)"}"#.utf8)).value
            #expect(v?.bitPattern == expected.bitPattern || (v?.isNaN == true && expected.isNaN), "\(text)")
        }
        let batch = try LoggingBody.batch(Array(#"{"run_id": "r", "metrics": null, "params": [{"key": "lr", "value": null}], "tags": []}"#.utf8))
        #expect(batch.metrics.isEmpty && batch.tags.isEmpty)
        #expect(batch.params == [LoggingBody.KeyValue(key: "lr", value: nil)])
        #expect(try LoggingBody.pairs(batch.params, of: "param").map(\.value) == [""])
    }

    @Test func int64Limits() throws {
        func step(_ text: String) throws -> Int64? { try LoggingBody.metric(Array(#"{"key": "k", "value": 1, "step": \#(text)}"#.utf8)).step }
        #expect(try step("9223372036854775807") == .max)
        #expect(try step("-9223372036854775808") == .min)
        #expect(try step("1e3") == 1000)
        #expect(try step("2.0") == 2)
        #expect(try step(#""9223372036854775807""#) == .max)
        for bad in ["9223372036854775808", "1.5", #""1.5""#, "1e19", "true"] {
            #expect(throws: MLflowError.self, "\(bad)") { try step(bad) }
        }
    }

    @Test func stringsAreUnescapedAndValidated() throws {
        let m = try LoggingBody.metric(Array(#"{"key": "caf\u00e9 \ud83d\ude00\n\"q\"\/\\", "value": 1}"#.utf8))
        #expect(m.key == "café 😀\n\"q\"/\\")
        let plain = try LoggingBody.metric(Array(#"{"key": "naïve ✓", "value": 1}"#.utf8))
        #expect(plain.key == "naïve ✓")
        for bad in [[0x22, 0xff, 0x22], Array(#""\ud83d""#.utf8), Array(#""\x""#.utf8), [0x22, 0x0a, 0x22], Array(#""abc"#.utf8)] {
            let body = Array(#"{"key": "#.utf8) + bad + Array(#", "value": 1}"#.utf8)
            #expect(throws: MLflowError.self, "\(bad)") { try LoggingBody.metric(body) }
        }
    }

    @Test func badBodiesNameTheField() {
        let cases: [(String, String)] = [
            (#"{"run_id": "r", "metrics": [{"key": "a", "value": 1}, {"key": "b", "value": true}]}"#, "'metrics.1.value'"),
            (#"{"run_id": "r", "metrics": {"key": "a"}}"#, "'metrics': expected a list"),
            (#"{"run_id": 5}"#, "'run_id': expected a string"),
            (#"{"run_id": "r"} x"#, "unexpected text after the JSON value"),
            (#"{"run_id": "r", "metrics": [{"value": 01}]}"#, "'metrics.0.value': a number may not start with 0"),
            (#"{"run_id": "r", "metrics": [{"value": 1e999}]}"#, "out of range"),
            (#"{"run_id": "r", "metrics": [{"value": -}]}"#, "'metrics.0.value'"),
            (#"{"run_id": "r","#, "the body ends there"),
            ("[]", "expected an object"),
            ("", "expected an object"),
            (String(repeating: #"{"a": "#, count: 600) + "1" + String(repeating: "}", count: 600), "nested deeper than 512 levels"),
            (String(repeating: "[", count: 100_000), "expected an object"),
            (#"{"unknown": "#.appending(String(repeating: "[", count: 100_000)), "nested deeper than 512 levels"),
        ]
        for (body, mention) in cases {
            do {
                _ = try LoggingBody.batch(Array(body.utf8))
                Issue.record("accepted \(body.prefix(80))")
            } catch {
                #expect(error.code == .invalidParameterValue)
                #expect(error.message.contains(mention), "\(error.message) should mention \(mention)")
            }
        }
    }

    @Test func missingRequiredFieldsUseMLflowsMessages() throws {
        let noValue = try LoggingBody.metric(Array(#"{"run_id": "r", "key": "loss"}"#.utf8))
        let error = #expect(throws: MLflowError.self) { try LoggingBody.series([noValue]) }
        #expect(error?.message == "Missing value for required parameter 'value' of metric 'loss'")
        let noKey = try LoggingBody.batch(Array(#"{"run_id": "r", "tags": [{"value": "x"}]}"#.utf8))
        #expect(throws: MLflowError.self) { try LoggingBody.pairs(noKey.tags, of: "tag") }
        #expect(throws: MLflowError.self) { try LoggingBody.runID(try LoggingBody.batch(Array("{}".utf8)).runID) }
    }

    /// Other routes read the same bodies as a map of Foundation values, as JSONSerialization gives them.
    @Test func anyGivesFoundationValues() throws {
        let r = try MLflowRequest(body: Array(#"{"n": 5, "f": 2.5, "i": 3.0, "b": true, "z": null, "s": ["x", 1], "o": {"k": "v"}}"#.utf8), query: [])
        let f = try r.double("f")
        #expect(r.string("n") == "5" && r.string("i") == "3" && f == 2.5)
        #expect(r.bool("b") && r.fields["z"] is NSNull)
        #expect(r.strings("s") == ["x", "1"])
        #expect((r.fields["o"] as? [String: Any])?["k"] as? String == "v")
    }
}
