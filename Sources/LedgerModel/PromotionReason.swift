/// The reason recorded when a promotion arrived without one (for example through the MLflow API):
/// clearly marked, so audit trails and the dashboard show the reason as missing instead of inventing one.
public enum PromotionReason {
    public static let missing = "(no reason given)"

    public static func isMissing(_ reason: String?) -> Bool {
        guard let reason else { return true }
        return reason == missing || reason.allSatisfy(\.isWhitespace)
    }
}
