import Testing

@testable import LedgerRelay

/// Members pushing at once cannot make the relay hold more than its budget of bodies.
@Suite struct BodyBudgetTests {
    @Test func aBodyWaitsUntilItFits() async throws {
        let budget = BodyBudget(limit: 100)
        await budget.acquire(60)
        await budget.acquire(40)
        let third = Task {
            await budget.acquire(30)
            return await budget.inUse
        }
        try await Task.sleep(for: .milliseconds(50))
        #expect(await budget.inUse == 100, "the third body must wait while the budget is spent")
        await budget.release(60)
        #expect(await third.value == 70)
        await budget.release(40)
        await budget.release(30)
        #expect(await budget.inUse == 0)
    }
}
