/// How much each scenario does: `standard` keeps `make torture` within a few minutes on two cores.
struct Scale: Sendable {
    /// Members logging and syncing at once in the convergence scenario.
    var clients: Int
    /// Actions per member in the convergence scenario.
    var rounds: Int
    /// Members that go offline in the partition scenario, and the events each logs while away.
    var offlineClients: Int
    var offlineEvents: Int
    /// Rounds of kill -9 (each kills logging, a push, a pull and the relay once).
    var crashRounds: Int
    /// Hostile requests and events sent to the relay, and mutated inputs fed to the decoders in-process.
    var hostileInputs: Int
    var decoderInputs: Int
    /// Tampered bytes checked per database by `mledger verify`, and in-process (nil: every byte).
    var tamperCommands: Int
    var tamperBytes: Int?

    static let standard = Scale(
        clients: 20, rounds: 8, offlineClients: 4, offlineEvents: 1500, crashRounds: 4,
        hostileInputs: 2000, decoderInputs: 40_000, tamperCommands: 40, tamperBytes: 1500)
    static let long = Scale(
        clients: 32, rounds: 15, offlineClients: 8, offlineEvents: 6000, crashRounds: 20,
        hostileInputs: 10_000, decoderInputs: 1_000_000, tamperCommands: 300, tamperBytes: nil)
}
