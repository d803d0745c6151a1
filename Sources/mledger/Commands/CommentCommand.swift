import ArgumentParser
import LedgerProtocol
import LedgerStore

struct CommentCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "comment",
        abstract: "Comment on runs, models, versions and promotions.",
        subcommands: [Add.self]
    )

    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Add a signed comment, or a reply to one.",
            usage: "mledger comment add digits@3 'checked on the new holdout set, looks good'",
            discussion: "TARGET is MODEL@VERSION, a model or experiment name, or an id prefix of a run, version, promotion or comment.", )
        @Argument(help: "What the comment is about.") var target: String
        @Argument(help: "The comment.") var text: String
        @Option(help: "The comment this replies to (id prefix).") var replyTo: String?

        func run() throws {
            let session = try Session.open()
            let targetID = try session.ledger.commentTarget(target)
            let reply = try replyTo.map { try session.ledger.commentTarget($0) }
            let event = try session.ledger.comment(on: targetID, text: text, replyTo: reply, signer: try session.signer())
            print("Comment \(event.id.short) on \(targetID.short)")
        }
    }
}
