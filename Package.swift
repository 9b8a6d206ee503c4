// swift-tools-version:6.2
// swift-dhis2: a Swift toolkit for the DHIS2 Web API (servers 2.41–2.44).
// Layers and what may import what: ../shared/docs/ARCHITECTURE.md (kept in the steering repo).

import PackageDescription

let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

let package = Package(
    name: "swift-dhis2",
    platforms: [.macOS(.v15), .iOS(.v18)],
    products: [
        .library(name: "DHIS2", targets: ["DHIS2"]),
        .library(name: "DHIS2Core", targets: ["DHIS2Core"]),
        .library(name: "DHIS2Emulator", targets: ["DHIS2Emulator"]),
        .executable(name: "dhis2", targets: ["dhis2"]),
    ],
    dependencies: [
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        // Hummingbird's default traits pull in swift-configuration and full Foundation; the emulator needs neither.
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1", traits: []),
        .package(url: "https://github.com/vapor/sqlite-nio.git", from: "1.13.2"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.3"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-nio-extras.git", from: "1.35.2"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "4.5.2"),
    ],
    targets: [
        // The transport, client, auth, errors and value types. Knows nothing of models, CLI or emulator.
        .target(
            name: "DHIS2Core",
            dependencies: [
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOFoundationCompat", package: "swift-nio"),
                .product(name: "_NIOFileSystem", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOHTTPCompression", package: "swift-nio-extras"),
            ],
            swiftSettings: swiftSettings
        ),
        // The generated models: one superset of DHIS2 2.41–2.44 plus the schema facts as data. Generated only.
        .target(
            name: "DHIS2Models",
            dependencies: ["DHIS2Core"],
            swiftSettings: swiftSettings
        ),
        // The curated public API users import; re-exports DHIS2Core and DHIS2Models.
        .target(
            name: "DHIS2",
            dependencies: ["DHIS2Core", "DHIS2Models"],
            swiftSettings: swiftSettings
        ),
        // The model generator; Foundation only, so library users never resolve anything extra for it.
        .target(
            name: "DHIS2Codegen",
            exclude: ["README.md"],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "dhis2-codegen",
            dependencies: ["DHIS2Codegen"],
            swiftSettings: swiftSettings
        ),
        // A DHIS2-compatible server (Hummingbird + SQLite) for tests, examples and the demo.
        .target(
            name: "DHIS2Emulator",
            dependencies: [
                "DHIS2",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "SQLiteNIO", package: "sqlite-nio"),
                .product(name: "Crypto", package: "swift-crypto"),
                // RSA for the OAuth2 server's RS256 JWT access tokens.
                .product(name: "CryptoExtras", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        // Profiles (profiles.toml, environment, precedence), the SQLite token store, open(profile), OAuth2 login.
        .target(
            name: "DHIS2Profiles",
            dependencies: [
                "DHIS2",
                .product(name: "SQLiteNIO", package: "sqlite-nio"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        // The `dhis2` commands as a library, testable in-process.
        .target(
            name: "DHIS2CommandLine",
            dependencies: [
                "DHIS2",
                "DHIS2Emulator",
                "DHIS2Profiles",
                "DHIS2Codegen",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "dhis2",
            dependencies: ["DHIS2CommandLine"],
            swiftSettings: swiftSettings
        ),
        // Client request throughput against a server in another process; run in release mode.
        .executableTarget(
            name: "dhis2-benchmark",
            dependencies: [
                "DHIS2",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "Benchmarks/ClientThroughput",
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "DHIS2CodegenTests",
            dependencies: ["DHIS2Codegen"],
            exclude: ["Fixtures"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "DHIS2ModelsTests",
            dependencies: ["DHIS2Models", "DHIS2Core"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "DHIS2CoreTests",
            dependencies: ["DHIS2Core"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "DHIS2EmulatorTests",
            dependencies: [
                "DHIS2Emulator",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "DHIS2Tests",
            dependencies: [
                "DHIS2",
                "DHIS2Emulator",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "DHIS2ProfilesTests",
            dependencies: ["DHIS2Profiles", "DHIS2Emulator"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "DHIS2CommandLineTests",
            dependencies: [
                "DHIS2CommandLine",
                // A stand-in DHIS2 server for `dev codegen --from-server`, serving DHIS2's own documents.
                .product(name: "Hummingbird", package: "hummingbird"),
            ],
            swiftSettings: swiftSettings
        ),
    ]
)
