import Foundation
import LedgerModel
import LedgerProtocol
import Testing

@testable import LedgerMLflow

@Suite struct MLflowRequestTests {
    @Test func doublesArriveBitForBit() throws {
        let r = try MLflowRequest(body: Array(#"{"value": 0.7408182206817179, "step": "12", "timestamp": 1700000000123}"#.utf8), query: [])
        #expect(try r.double("value") == 0.7408182206817179)
        #expect(try r.int64("step") == 12)
        #expect(try r.int64("timestamp") == 1_700_000_000_123)
    }

    @Test func nonFiniteValuesAsProtobufWritesThem() throws {
        let r = try MLflowRequest(body: Array(#"{"a": "NaN", "b": "Infinity", "c": "-Infinity"}"#.utf8), query: [])
        #expect(try r.double("a")?.isNaN == true)
        #expect(try r.double("b") == .infinity)
        #expect(try r.double("c") == -.infinity)
        #expect(Translation.number(.nan) as? String == "NaN")
        // Written as a number, negative zero would read back in Python as the integer 0.
        #expect(Translation.number(-0.0) as? String == "-0.0")
        #expect(Translation.number(0.0) as? Double == 0)
    }

    @Test func queryStringsDecodeAsRequestsWritesThem() throws {
        let items = QueryString.items("filter=name+%3D+%27a%2Bb%27&order_by=x&order_by=y")
        let r = try MLflowRequest(body: [], query: items)
        #expect(r.string("filter") == "name = 'a+b'")
        #expect(r.strings("order_by") == ["x", "y"])
    }

    @Test func badInputIsInvalidParameterValue() {
        #expect(throws: MLflowError.self) { try MLflowRequest(body: Array("not json".utf8), query: []) }
        let r = MLflowRequest(fields: ["step": "three"])
        #expect(throws: MLflowError.self) { try r.int64("step") }
        #expect(throws: MLflowError.self) { try r.required("run_id") }
    }

    @Test func errorsRenderMLflowShape() throws {
        let e = MLflowError.notFound("Run with id=x not found")
        #expect(e.status == .notFound)
        let body = try JSONSerialization.jsonObject(with: Data(e.body)) as? [String: String]
        #expect(body == ["error_code": "RESOURCE_DOES_NOT_EXIST", "message": "Run with id=x not found"])
        #expect(MLflowError(.resourceAlreadyExists, "").status == .badRequest)
        // Written by hand: anything a message may hold reads back as it was.
        let odd = "a \"quoted\" \\ path\nline\t\u{01}\u{1f} café 😀 </script>"
        let back = try JSONSerialization.jsonObject(with: Data(MLflowError.invalid(odd).body)) as? [String: String]
        #expect(back == ["error_code": "INVALID_PARAMETER_VALUE", "message": odd])
    }
}

@Suite struct TranslationTests {
    @Test func statusesMapBothWays() throws {
        #expect(try Translation.runStatus("FINISHED") == .finished)
        #expect(try Translation.runStatus("KILLED") == .killed)
        #expect(try Translation.runStatus("RUNNING") == nil)
        #expect(throws: MLflowError.self) { try Translation.runStatus("DONE") }
        #expect(Translation.status(.failed) == "FAILED")
    }

    @Test func stagesAreAliases() throws {
        #expect(try Translation.stageAlias("Production") == "production")
        #expect(try Translation.stageAlias("staging") == "staging")
        #expect(try Translation.stageAlias("Archived") == nil)
        #expect(throws: MLflowError.self) { try Translation.stageAlias("Shipped") }
    }

    @Test func reasonComesFromTagThenDescriptionElseMarkedMissing() {
        #expect(Translation.promotionReason(tags: ["mledger.reason": "beats v1"], description: "baseline") == "beats v1")
        #expect(Translation.promotionReason(tags: [:], description: "baseline") == "baseline")
        let missing = Translation.promotionReason(tags: ["mledger.reason": "  "], description: nil)
        #expect(missing == PromotionReason.missing)
        #expect(PromotionReason.isMissing(missing))
    }

    @Test func versionTagsRoundTripThroughComments() {
        let texts = [Translation.versionTagComment(key: "k", value: "a=b"), "plain comment", Translation.versionTagComment(key: "k", value: "c")]
        #expect(Translation.versionTags(comments: Array(texts.prefix(2))) == ["k": "a=b"])
        #expect(Translation.versionTags(comments: texts) == ["k": "c"])
    }

    @Test func defaultExperimentIsZero() {
        #expect(Translation.experimentID(hex: "ab12", name: "Default") == "0")
        #expect(Translation.experimentID(hex: "ab12", name: "mnist") == "ab12")
    }

    @Test func artifactListingIsOneLevel() throws {
        let files = [
            ArtifactFile(path: "model/weights.json", sha256: [], size: 5), ArtifactFile(path: "model/sub/x", sha256: [], size: 1),
            ArtifactFile(path: "notes.txt", sha256: [], size: 3),
        ]
        let root = ArtifactLocation.listing(files, under: nil)
        #expect(root.map { $0["path"] as? String } == ["model", "notes.txt"])
        #expect(root.map { $0["is_dir"] as? Bool } == [true, false])
        let model = ArtifactLocation.listing(files, under: "model")
        #expect(model.map { $0["path"] as? String } == ["sub", "weights.json"])
        #expect(throws: MLflowError.self) { try ArtifactLocation(segments: ["0", "run", "artifacts", "..", "x"]) }
    }
}
