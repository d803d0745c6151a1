import Foundation
import LedgerProtocol
import LedgerStore
import LedgerSync

/// Sends one signed delivery: checks the receiver's addresses against the policy first, then POSTs the
/// payload with MLflow's headers. Any 2xx answer is a delivery; anything else, or no answer, is a failure.
public struct WebhookSender: Sendable {
    public let policy: AddressPolicy

    public init(policy: AddressPolicy) {
        self.policy = policy
    }

    public func send(
        to urlText: String, secret: String, deliveryID: String, payload: [UInt8], nowMs: Int64 = Int64(wallClockMs())
    ) async -> AttemptResult {
        guard let url = URL(string: urlText), let parts = URLComponents(url: url, resolvingAgainstBaseURL: false) else {
            return AttemptResult(success: false, errorMessage: WebhookError.badURL(urlText).description)
        }
        // Name resolution blocks: off the async executor, like the request itself.
        let policy = self.policy
        do {
            try await offload { try Resolver.check(url: url, policy: policy) }
        } catch let error as WebhookError {
            return AttemptResult(success: false, errorMessage: error.description)
        } catch {
            return AttemptResult(success: false, errorMessage: "\(error)")
        }
        let path = parts.percentEncodedPath.isEmpty ? "/" : parts.percentEncodedPath
        let target = path + (parts.percentEncodedQuery.map { "?" + $0 } ?? "")
        let headers = WebhookSignature.headers(secret: secret, deliveryID: deliveryID, timestampSeconds: nowMs / 1000, payload: payload)
        do {
            let answer = try await Transports.forURL(url).send(HTTPRequest(method: "POST", target: target, headers: headers, body: payload))
            let body = String(decoding: answer.body.prefix(1000), as: UTF8.self)
            return AttemptResult(
                success: (200..<300).contains(answer.status), responseStatus: answer.status, responseBody: body,
                errorMessage: (200..<300).contains(answer.status) ? nil : "the receiver answered \(answer.status)")
        } catch {
            return AttemptResult(success: false, errorMessage: "\(error)")
        }
    }
}
