import Foundation
import LedgerProtocol

/// The checks `mlflow server` makes on a request before it reaches its store, so bad input gets the same
/// status and error code here as there.
extension Translation {
    /// An experiment id that is neither a ledger id nor a number (MLflow's ids are numbers) is malformed:
    /// INVALID_PARAMETER_VALUE, where an id of the right form that names nothing is RESOURCE_DOES_NOT_EXIST.
    static func checkExperimentID(_ text: String) throws(MLflowError) {
        guard LedgerID(hex: text.lowercased()) == nil, text.isEmpty || !text.allSatisfy(\.isASCII) || !text.allSatisfy(\.isNumber) else { return }
        throw .invalid("Invalid value '\(text.prefix(100))' for parameter 'experiment_id': use the id MLflow gave the experiment")
    }

    /// MLflow's page tokens: base64 of `{"offset": N}`. Anything else is refused, as MLflow refuses it.
    static func pageOffset(_ token: String?) throws(MLflowError) -> Int {
        guard let token, !token.isEmpty else { return 0 }
        guard let data = Data(base64Encoded: token), let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
            let offset = (object["offset"] as? NSNumber)?.intValue, offset >= 0
        else { throw .invalid("Invalid page token '\(token.prefix(100))': pass the next_page_token of the previous page") }
        return offset
    }

    static func pageToken(offset: Int) -> String {
        Data(#"{"offset": \#(offset)}"#.utf8).base64EncodedString()
    }

    /// Fields that MLflow's request messages declare as strings: a body giving one of them another JSON
    /// type (`{"name": 123}`) is refused, as MLflow's request parsing refuses it.
    static let stringFields: Set<String> = [
        "name", "new_name", "experiment_id", "experiment_name", "run_id", "run_uuid", "run_name", "key", "metric_key",
        "filter", "page_token", "version", "stage", "alias", "description", "source", "artifact_location", "user_id",
    ]

    /// The MLflow error for a body field of the wrong JSON type, or nil when every string field is a string.
    static func wrongType(in body: [String: Any]) -> MLflowError? {
        for key in body.keys.sorted() where stringFields.contains(key) {
            guard let value = body[key], !(value is String), !(value is NSNull) else { continue }
            return typeError(key, value)
        }
        return nil
    }

    static func typeError(_ key: String, _ value: Any) -> MLflowError {
        .invalid(
            "Invalid value \(value) for parameter '\(key)' supplied: it must be a string. See the API docs for more information about request parameters."
        )
    }
}

extension MLflowRequest {
    /// The run a request names: `run_id`, else the older `run_uuid`; an empty or missing one is refused
    /// as MLflow refuses it (INVALID_PARAMETER_VALUE).
    func runField() throws(MLflowError) -> String {
        if let id = string("run_id"), !id.isEmpty { return id }
        return try required("run_uuid")
    }

    /// A param or tag value: a string (missing is ""), never a number, list or object, as in MLflow.
    func textValue(_ key: String = "value") throws(MLflowError) -> String {
        switch fields[key] {
        case nil, is NSNull: return ""
        case let s as String: return s
        case let other?: throw Translation.typeError(key, other)
        }
    }
}
