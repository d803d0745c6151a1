import Testing

@testable import LedgerRelay

@Suite struct ByteRangeTests {
    @Test(arguments: [
        ("bytes=0-9", 100, 0..<10),
        ("bytes=10-19", 100, 10..<20),
        ("bytes=90-", 100, 90..<100),
        ("bytes=90-500", 100, 90..<100),
        ("bytes=-5", 100, 95..<100),
        ("bytes=-500", 100, 0..<100),
    ])
    func satisfiableRanges(header: String, size: Int, expected: Range<Int>) {
        #expect(BlobRoutes.byteRange(header, size: size) == expected)
    }

    @Test(arguments: ["bytes=100-", "bytes=20-10", "bytes=-0", "bytes=0-1,5-6", "items=0-1", "bytes=abc", "bytes=-"])
    func unsatisfiableRanges(header: String) {
        #expect(BlobRoutes.byteRange(header, size: 100) == nil)
    }
}
