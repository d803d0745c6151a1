import Foundation
import LedgerProtocol

/// How a relay refuses a signed request or sign-in link sent a second time. Within the signature's
/// time window it names the replay (`replay`); a test run slowed down enough (hundreds of tests share
/// the machine) may send the copy after the window, when it is refused as too old (`tooOld`) instead,
/// which is also a refusal of the replay.
public enum Replay {
    /// Whether `message` is the refusal expected of a copy of something signed at or after `signedAtMs`.
    public static func refused(_ message: String?, signedAtMs: UInt64, replay: String, tooOld: String) -> Bool {
        guard let message else { return false }
        // Answered within the window, so it was also sent within it: only the replay refusal will do.
        if UInt64(Date().timeIntervalSince1970 * 1000) < signedAtMs + RequestSignature.maxSkewMs { return message.contains(replay) }
        return message.contains(replay) || message.contains(tooOld)
    }
}
