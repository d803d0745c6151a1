import Foundation
import LedgerProtocol
import LedgerSync

/// One hostile (or valid but nasty) input and the answer the relay owes it.
struct HostileCase: Sendable {
    enum Expect: Sendable {
        /// An HTTP error with this status and, where given, this JSON `error` code.
        case refused(statuses: Set<Int>, code: String?)
        /// A push answered 200 whose single event is rejected with one of `codes` (any code when nil).
        case rejected(codes: Set<String>?)
        /// Valid data, however odd: stored once.
        case accepted
        /// Already stored: answered as a duplicate, stored nothing.
        case duplicate
        /// Anything but a crash or a 5xx (a first, valid use of a request that is then replayed).
        case served
        /// Mutated but correctly signed: a precise rejection, or stored when it is in fact a valid event.
        case validOrRejected
    }

    var label: String
    var request: HTTPRequest
    var expect: Expect
    /// The forge after this input was accepted (valid events advance their author's chain).
    var advanced: Forge?
    /// Text that must come back unchanged from the ledger's views once accepted.
    var text: [String] = []
    /// Where to send it when not to the relay under test (the team's second relay).
    var port: Int?

    /// Why `answer` is not what this case is owed, or nil when it is.
    func judge(_ answer: HTTPResponse) -> String? {
        let json = (try? JSONSerialization.jsonObject(with: Data(answer.body))) as? [String: Any]
        func push() -> (letter: Character?, code: String?) {
            let letters = json?["statuses"] as? String ?? ""
            let problem = (json?["problems"] as? [[String: Any]])?.first
            return (letters.count == 1 ? letters.first : nil, problem?["code"] as? String)
        }
        switch expect {
        case .refused(let statuses, let code):
            guard statuses.contains(answer.status) else { return "\(label): status \(answer.status), expected \(statuses.sorted())" }
            if let code, json?["error"] as? String != code {
                return
                    "\(label): error \(json?["error"] as? String ?? "none"), expected '\(code)' (\(String(decoding: answer.body.prefix(200), as: UTF8.self)))"
            }
            if code != nil, (json?["message"] as? String ?? "").isEmpty { return "\(label): the error has no message" }
        case .rejected(let codes):
            let (letter, code) = push()
            guard answer.status == 200, letter == "r" else {
                return
                    "\(label): expected a rejection, got status \(answer.status) '\(json?["statuses"] as? String ?? "")' \(String(decoding: answer.body.prefix(200), as: UTF8.self))"
            }
            guard let code, !code.isEmpty, codes?.contains(code) ?? true else {
                return "\(label): rejected with '\(code ?? "no code")', expected \(codes?.sorted() ?? [])"
            }
        case .accepted, .duplicate:
            let (letter, code) = push()
            let wanted: Character = { if case .accepted = expect { "a" } else { "d" } }()
            guard answer.status == 200, letter == wanted else {
                return "\(label): expected '\(wanted)', got status \(answer.status) '\(letter.map(String.init) ?? "")' \(code ?? "")"
            }
        case .served:
            guard answer.status < 500 else { return "\(label): server error \(answer.status)" }
        case .validOrRejected:
            let (letter, code) = push()
            guard answer.status == 200, let letter else {
                return "\(label): status \(answer.status) \(String(decoding: answer.body.prefix(200), as: UTF8.self))"
            }
            if letter == "r" { return (code ?? "").isEmpty ? "\(label): rejected without a code" : nil }
            // Stored: then it must be an event this side accepts too.
            guard let frame = (try? EventFrames.split(request.body))?.first,
                let event = try? SignedEvent(bytes: frame.bytes, signature: frame.signature), (try? event.body()) != nil
            else {
                return "\(label): the relay stored ('\(letter)') an event that does not decode here"
            }
        }
        return nil
    }
}
