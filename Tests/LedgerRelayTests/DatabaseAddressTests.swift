import Testing

@testable import LedgerRelay

/// `--database` addresses: what a relay connects to, and a clear refusal of anything else.
@Suite struct DatabaseAddressTests {
    @Test func aFullAddressNamesEveryPart() throws {
        let address = try DatabaseAddress("postgres://relay:s3cret@db.example.org:6543/ledger")
        #expect(address.user == "relay" && address.password == "s3cret")
        #expect(address.host == "db.example.org" && address.port == 6543 && address.database == "ledger")
        #expect(address.shown == "postgres://relay@db.example.org:6543/ledger", "the password is never shown")
    }

    @Test func thePortDefaultsToPostgreSQLs() throws {
        #expect(try DatabaseAddress("postgresql://relay@127.0.0.1/ledger").port == 5432)
    }

    @Test func otherAddressesAreRefusedSayingWhy() {
        let cases = [
            ("mysql://relay@host/db", "postgres://"), ("postgres://host/db", "user"), ("postgres://relay@host", "database"),
            ("postgres://relay@host/a/b", "database"), ("relay@host/db", "postgres://"),
        ]
        for (text, hint) in cases {
            #expect(throws: RelayStoreError.self) { try DatabaseAddress(text) }
            do {
                _ = try DatabaseAddress(text)
            } catch {
                #expect(error.description.contains(hint), "\(text): \(error.description)")
            }
        }
    }
}
