import Foundation
import Testing

@testable import LedgerMLflow

/// The checks that make bad requests fail as they fail on `mlflow server`.
@Suite struct ValidationTests {
    @Test func stringFieldsOfAnotherTypeAreRefused() throws {
        #expect(throws: MLflowError.self) { try MLflowRequest(body: Array(#"{"name": 123}"#.utf8), query: []) }
        #expect(throws: MLflowError.self) { try MLflowRequest(body: Array(#"{"run_id": ["a"]}"#.utf8), query: []) }
        let ok = try MLflowRequest(body: Array(#"{"name": "x", "value": 1.5, "max_results": 3}"#.utf8), query: [])
        #expect(ok.string("name") == "x")
        let param = try MLflowRequest(body: Array(#"{"value": 7}"#.utf8), query: [])
        #expect(throws: MLflowError.self) { try param.textValue() }
    }

    @Test func pageTokensAreMLflows() throws {
        let token = Translation.pageToken(offset: 40)
        #expect(try Translation.pageOffset(token) == 40)
        #expect(try Translation.pageOffset(nil) == 0)
        for bad in ["garbage", "99999", "-1", Data(#"{"offset": -3}"#.utf8).base64EncodedString()] {
            #expect(throws: MLflowError.self, "\(bad)") { try Translation.pageOffset(bad) }
        }
    }

    @Test func malformedExperimentIDsAreInvalidAndNumbersMerelyMissing() throws {
        try Translation.checkExperimentID("987654")
        try Translation.checkExperimentID(String(repeating: "ab", count: 32))
        for bad in ["not-an-id", "", String(repeating: "x", count: 1000), String(repeating: "0", count: 32) + "!"] {
            #expect(throws: MLflowError.self, "\(bad)") { try Translation.checkExperimentID(bad) }
        }
    }

    @Test func generatedRunNamesHaveMLflowsForm() {
        #expect(RunNames.random().wholeMatch(of: /[a-z]+-[a-z]+-[0-9]+/) != nil)
    }
}
