// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "ModelLedger",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "mledger", targets: ["mledger"]),
        .library(name: "LedgerProtocol", targets: ["LedgerProtocol"]),
        .library(name: "LedgerModel", targets: ["LedgerModel"]),
        .library(name: "LedgerStore", targets: ["LedgerStore"]),
        .library(name: "LedgerSync", targets: ["LedgerSync"]),
        .library(name: "LedgerRelay", targets: ["LedgerRelay"]),
        .executable(name: "mledger-relay", targets: ["mledger-relay"]),
        .library(name: "LedgerMLflow", targets: ["LedgerMLflow"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
    ],
    targets: [
        // libsodium from the system (Ed25519, BLAKE2b, SHA-256, Argon2id, secretbox).
        .systemLibrary(
            name: "CSodium",
            pkgConfig: "libsodium",
            providers: [.apt(["libsodium-dev"])]
        ),
        // Pure: event envelope, signing, ids, CBOR bodies, clock, chain rules.
        .target(name: "LedgerProtocol", dependencies: ["CSodium"]),
        // Pure: merge order, conflict resolution, metric packing, view types.
        .target(name: "LedgerModel", dependencies: ["LedgerProtocol"]),
        // SQLite store, projections, blob store, workspace and identity files.
        .target(
            name: "LedgerStore",
            dependencies: [
                "LedgerProtocol", "LedgerModel",
                .product(name: "GRDB", package: "GRDB.swift"),
            ]
        ),
        // Client side of the sync API: signed requests, push, pull, blobs.
        .target(name: "LedgerSync", dependencies: ["LedgerProtocol", "LedgerModel", "LedgerStore"]),
        // Dashboard pieces as pure functions of the model: escaping, SVG charts.
        .target(name: "LedgerWeb", dependencies: ["LedgerProtocol", "LedgerModel"]),
        // The dashboard as Hummingbird routes: sign-in, sessions, pages, and the local dashboard's forms.
        .target(
            name: "LedgerDashboard",
            dependencies: [
                "LedgerProtocol", "LedgerModel", "LedgerStore", "LedgerWeb",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
            ]
        ),
        // Lifecycle webhooks: subscriptions, MLflow-style signed payloads, delivery from a persisted cursor.
        .target(
            name: "LedgerWebhooks",
            dependencies: ["CSodium", "LedgerProtocol", "LedgerModel", "LedgerStore", "LedgerSync", .product(name: "GRDB", package: "GRDB.swift")]
        ),
        .testTarget(name: "LedgerWebhooksTests", dependencies: ["LedgerWebhooks", "LedgerProtocol", "LedgerStore"]),
        // The relay as a library: routes, request authentication, roles, metrics.
        .target(
            name: "LedgerRelay",
            dependencies: [
                "LedgerProtocol", "LedgerModel", "LedgerStore", "LedgerDashboard", "LedgerWebhooks",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        // The relay server executable.
        .executableTarget(
            name: "mledger-relay",
            dependencies: [
                "LedgerRelay",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Hummingbird", package: "hummingbird"),
            ]
        ),
        // The command-line interface.
        .executableTarget(
            name: "mledger",
            dependencies: [
                "LedgerProtocol", "LedgerModel", "LedgerStore", "LedgerSync", "LedgerWeb", "LedgerDashboard", "LedgerWebhooks",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                "LedgerMLflow", .product(name: "Hummingbird", package: "hummingbird"), "LedgerImport",
            ]
        ),
        // Writes protocol/vectors from fixed seeds.
        .executableTarget(name: "mledger-vectors", dependencies: ["LedgerProtocol"]),
        // Benchmarks printed by `make bench`.
        .executableTarget(
            name: "mledger-bench",
            dependencies: [
                "LedgerProtocol", "LedgerModel", "LedgerStore", "LedgerSync", "LedgerWeb", "LedgerDashboard", "LedgerProcesses", "LedgerWebhooks",
                "LedgerMLflow",
                "LedgerRelay",
            ]
        ),
        // Fault, load and hostile-input suite printed by `make torture`: drives the built binaries.
        .executableTarget(
            name: "mledger-torture",
            dependencies: [
                "LedgerProtocol", "LedgerStore", "LedgerSync", "LedgerProcesses",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "GRDB", package: "GRDB.swift"),
            ]
        ),
        .testTarget(name: "LedgerProtocolTests", dependencies: ["LedgerProtocol"]),
        .testTarget(name: "LedgerModelTests", dependencies: ["LedgerModel", "LedgerTestSupport"]),
        .testTarget(name: "LedgerStoreTests", dependencies: ["LedgerStore", "LedgerTestSupport"]),
        .testTarget(name: "LedgerRelayTests", dependencies: ["LedgerRelay"]),
        .testTarget(name: "LedgerWebTests", dependencies: ["LedgerWeb", "LedgerModel"]),
        // Starts real relays and runs real clients on 127.0.0.1.
        .testTarget(
            name: "SyncTests",
            dependencies: ["LedgerProtocol", "LedgerStore", "LedgerSync", "LedgerTestSupport", .product(name: "GRDB", package: "GRDB.swift")]
        ),
        // Starts the built binaries as real processes (tests and benchmarks).
        .target(name: "LedgerProcesses", path: "Tests/Processes"),
        // Helpers shared by the tests that run the built binaries.
        .target(name: "LedgerTestSupport", dependencies: ["LedgerProcesses", "LedgerProtocol"], path: "Tests/TestSupport"),
        // The dashboard over real HTTP from real relays and `mledger ui`, and in a headless Chromium.
        .testTarget(
            name: "DashboardTests",
            dependencies: ["LedgerProtocol", "LedgerStore", "LedgerSync", "LedgerWeb", "LedgerTestSupport"]
        ),
        // Runs the built `mledger` binary in temporary workspaces.
        .testTarget(
            name: "CLITests",
            dependencies: ["LedgerProtocol", "LedgerTestSupport", .product(name: "GRDB", package: "GRDB.swift")]
        ),
        // MLflow REST compatibility: MLflow's routes translated into signed ledger events.
        .target(
            name: "LedgerMLflow",
            dependencies: [
                "LedgerProtocol", "LedgerModel", "LedgerStore", "LedgerWebhooks",
                .product(name: "Hummingbird", package: "hummingbird"),
            ]
        ),
        .testTarget(name: "LedgerMLflowTests", dependencies: ["LedgerMLflow", "LedgerModel", "LedgerStore", "LedgerProcesses"]),
        .testTarget(
            name: "LedgerImportTests", dependencies: ["LedgerImport", "LedgerProtocol", .product(name: "GRDB", package: "GRDB.swift")]),
        // `mledger import mlflow`: an MLflow server's or store's history as signed events with their provenance.
        .target(
            name: "LedgerImport",
            dependencies: [
                "LedgerProtocol", "LedgerModel", "LedgerStore", "LedgerMLflow",
                .product(name: "GRDB", package: "GRDB.swift"),
            ]
        ),
        // Runs the real `mlflow` client against `mledger serve` and a real `mlflow server`.
        .testTarget(name: "MLflowCompatTests", dependencies: ["LedgerTestSupport"]),
    ]
)
