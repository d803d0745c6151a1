import CSodium
import Foundation

/// MLflow 3's webhook signature (mlflow/webhooks/delivery.py): HMAC-SHA256 keyed with the secret's UTF-8
/// bytes over `delivery_id.timestamp.payload`, sent as `v1,` and the base64 of the MAC, so a receiver
/// written for MLflow verifies ours unchanged.
public enum WebhookSignature {
    public static let signatureHeader = "X-MLflow-Signature"
    public static let timestampHeader = "X-MLflow-Timestamp"
    public static let deliveryIDHeader = "X-MLflow-Delivery-Id"

    public static func sign(secret: String, deliveryID: String, timestamp: String, payload: [UInt8]) -> String {
        var message = Array("\(deliveryID).\(timestamp).".utf8)
        message.append(contentsOf: payload)
        return "v1," + Data(hmacSHA256(key: Array(secret.utf8), message: message)).base64EncodedString()
    }

    static func hmacSHA256(key: [UInt8], message: [UInt8]) -> [UInt8] {
        _ = sodium_init()
        var state = crypto_auth_hmacsha256_state()
        var out = [UInt8](repeating: 0, count: Int(crypto_auth_hmacsha256_BYTES))
        crypto_auth_hmacsha256_init(&state, key, key.count)
        crypto_auth_hmacsha256_update(&state, message, UInt64(message.count))
        crypto_auth_hmacsha256_final(&state, &out)
        return out
    }

    /// The headers of one delivery attempt: its id, the attempt's Unix time in seconds, and the signature
    /// unless there is no secret (MLflow lets a webhook have none, and then sends none).
    public static func headers(secret: String, deliveryID: String, timestampSeconds: Int64, payload: [UInt8]) -> [(String, String)] {
        let timestamp = String(timestampSeconds)
        var headers = [("Content-Type", "application/json"), (deliveryIDHeader, deliveryID), (timestampHeader, timestamp)]
        if !secret.isEmpty { headers.append((signatureHeader, sign(secret: secret, deliveryID: deliveryID, timestamp: timestamp, payload: payload))) }
        return headers
    }
}
