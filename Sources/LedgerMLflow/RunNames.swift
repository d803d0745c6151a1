/// Names for runs created without one, in MLflow's form (`adjective-noun-number`), so scripts that
/// show or search by `run_name` find a name as they would on MLflow.
enum RunNames {
    static let adjectives = [
        "able", "bold", "brave", "bright", "calm", "clever", "eager", "fair", "gentle", "glad", "keen", "kind", "lively",
        "lucky", "merry", "neat", "proud", "quick", "quiet", "sharp", "smart", "steady", "sunny", "swift", "warm", "wise",
    ]
    static let nouns = [
        "ant", "bat", "bear", "cat", "crane", "deer", "dove", "eel", "finch", "fox", "frog", "gnat", "hare", "hawk", "lark",
        "lynx", "mole", "moth", "newt", "owl", "seal", "shrew", "slug", "snail", "swan", "wolf", "wren", "yak",
    ]

    static func random() -> String {
        "\(adjectives.randomElement() ?? "able")-\(nouns.randomElement() ?? "ant")-\(Int.random(in: 0..<1000))"
    }
}
