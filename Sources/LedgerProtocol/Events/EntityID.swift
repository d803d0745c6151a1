/// Ids of entities that are named rather than created once: the same team and name give the same id on
/// every machine, so creating "mnist" on two laptops offline yields one experiment after sync.
public enum EntityID {
    private static let tag = Array("mledger/entity/v1".utf8)

    public static func experiment(team: LedgerID, name: String) -> LedgerID { derive("experiment", team, name) }
    public static func model(team: LedgerID, name: String) -> LedgerID { derive("model", team, name) }

    private static func derive(_ kind: String, _ team: LedgerID, _ name: String) -> LedgerID {
        var message = tag
        message.append(contentsOf: Array(kind.utf8))
        message.append(0)
        message.append(contentsOf: team.bytes)
        // Signed names are NFC already; a name typed in another form finds the same entity.
        message.append(contentsOf: Array(name.nfc.utf8))
        return Hashing.blake2b256(message)
    }
}
