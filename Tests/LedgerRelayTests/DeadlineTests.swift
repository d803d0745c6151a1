import Foundation
import Testing

@testable import LedgerRelay

/// `withDeadline` answers in time even when the work it gave up on never ends and ignores cancellation,
/// as a statement sent on a connection that closed underneath can.
@Suite struct DeadlineTests {
    /// Were the caller to wait for the work, this test would never end: its time limit fails it (generous,
    /// as a full parallel test run can keep the timer from firing for a minute or more).
    @Test(.timeLimit(.minutes(10))) func workThatNeverEndsIsGivenUpOn() async throws {
        await #expect(throws: RelayStoreError.unreachable("the database", "no answer within 1 s")) {
            try await withDeadline(seconds: 0.2, "the database") { () async throws -> Int in
                // Never resumed, and not cancellable: only a caller that does not wait for it goes on.
                await withCheckedContinuation { (_: CheckedContinuation<Void, Never>) in }
                return 1
            }
        }
    }

    @Test func anAnswerInTimeIsReturnedAndAFailureKept() async throws {
        #expect(try await withDeadline(seconds: 10, "the database") { 42 } == 42)
        await #expect(throws: RelayStoreError.diverged("x")) {
            try await withDeadline(seconds: 10, "the database") { () async throws -> Int in throw RelayStoreError.diverged("x") }
        }
    }
}
