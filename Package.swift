// swift-tools-version:6.1
import PackageDescription

// Layers, bottom to top (an arrow means "may import"):
//
//   phalanx (executable) → PhalanxCLI → PhalanxFederation → PhalanxControl → PhalanxLedger → PhalanxCore
//                                                         ↘ PhalanxProviders → PhalanxSecAgg ──↗
//                                                                            ↘ PhalanxDP (samplers, accountants)
//                                     ↘ PhalanxModel (model checker over the state-machine tables) → PhalanxCore
//                                     ↘ PhalanxDSL (the plug-in language: parser, checker, lowering to the IR) → PhalanxCore
//                                     ↘ PhalanxNetwork (gRPC over mutual TLS, the serve processes, the tick driver)
//                                           → PhalanxFederation, PhalanxWire (generated from Protos/), PhalanxPKI
//                                     ↘ PhalanxPKI (the federation CA: certificates, revocation, peer checks) → PhalanxCore
//                                     ↘ PhalanxAgentService (events store, HTTP API) → PhalanxAgent (detectors,
//                                           classifier, policy, receipts, ladder) → PhalanxCore; → PhalanxLedger
//                                     ↘ PhalanxTraining (federated training of the agent's classifier) → PhalanxAgent,
//                                           PhalanxDSL, PhalanxProviders, PhalanxControl, PhalanxFederation
//
// PhalanxCore holds value types and protocols with no I/O; nothing below it but swift-crypto.
let swiftSettings: [SwiftSetting] = [
    .swiftLanguageMode(.v6),
    .enableUpcomingFeature("ExistentialAny"),
]

// The NTT and RNS loops are multiplier-bound: on x86-64 they are compiled for x86-64-v3 (BMI2's flag-free mulx,
// AVX2), which every x86 server CPU since 2013 has. PHALANX_PORTABLE=1 builds them for the baseline instead.
// They are also optimized in debug builds: unoptimized, one encryption at N = 8192 takes long enough that the
// tests which run whole federations on `fhe` would hold the test runner's few threads for seconds at a time.
#if arch(x86_64)
let fheTargetCPU: [String] = Context.environment["PHALANX_PORTABLE"] == "1" ? [] : ["-target-cpu", "haswell"]
#else
let fheTargetCPU: [String] = []
#endif
let fheCodeGeneration: [SwiftSetting] = [
    .unsafeFlags(fheTargetCPU),
    .unsafeFlags(["-O"], .when(configuration: .debug)),
]

let package = Package(
    name: "Phalanx",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "phalanx", targets: ["phalanx"]),
        .library(name: "PhalanxCore", targets: ["PhalanxCore"]),
        .library(name: "PhalanxSecAgg", targets: ["PhalanxSecAgg"]),
        .library(name: "PhalanxDP", targets: ["PhalanxDP"]),
        .library(name: "PhalanxProviders", targets: ["PhalanxProviders"]),
        .library(name: "PhalanxLedger", targets: ["PhalanxLedger"]),
        .library(name: "PhalanxControl", targets: ["PhalanxControl"]),
        .library(name: "PhalanxFederation", targets: ["PhalanxFederation"]),
        .library(name: "PhalanxModel", targets: ["PhalanxModel"]),
        .library(name: "PhalanxDSL", targets: ["PhalanxDSL"]),
        .library(name: "PhalanxPKI", targets: ["PhalanxPKI"]),
        .library(name: "PhalanxWire", targets: ["PhalanxWire"]),
        .library(name: "PhalanxNetwork", targets: ["PhalanxNetwork"]),
        .library(name: "PhalanxAgent", targets: ["PhalanxAgent"]),
        .library(name: "PhalanxAgentService", targets: ["PhalanxAgentService"]),
        .library(name: "PhalanxTraining", targets: ["PhalanxTraining"]),
        .library(name: "PhalanxFHE", targets: ["PhalanxFHE"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-crypto.git", from: "4.5.2"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-certificates.git", from: "1.21.1"),
        .package(url: "https://github.com/apple/swift-asn1.git", from: "1.7.4"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-protobuf.git", from: "1.39.0"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/grpc/grpc-swift-2.git", from: "2.4.3"),
        .package(url: "https://github.com/grpc/grpc-swift-nio-transport.git", from: "2.9.2"),
        .package(url: "https://github.com/grpc/grpc-swift-protobuf.git", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
    ],
    targets: [
        .target(
            name: "PhalanxCore",
            dependencies: [.product(name: "Crypto", package: "swift-crypto")],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "PhalanxSecAgg",
            dependencies: [
                "PhalanxCore",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "CryptoExtras", package: "swift-crypto"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "PhalanxDP",
            dependencies: [
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "CryptoExtras", package: "swift-crypto"),
            ],
            swiftSettings: swiftSettings
        ),
        // Multiparty homomorphic encryption (issue 11): RNS arithmetic and the NTT, BFV, and the multiparty
        // protocols of Mouchet et al.; no I/O.
        .target(
            name: "PhalanxFHE",
            dependencies: [
                "PhalanxCore",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "CryptoExtras", package: "swift-crypto"),
            ],
            swiftSettings: swiftSettings + fheCodeGeneration
        ),
        .target(
            name: "PhalanxProviders",
            dependencies: ["PhalanxCore", "PhalanxSecAgg", "PhalanxDP", "PhalanxFHE"],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "PhalanxLedger",
            dependencies: [
                "PhalanxCore",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "PhalanxControl",
            dependencies: [
                "PhalanxCore", "PhalanxLedger", "PhalanxProviders",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Yams", package: "Yams"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "PhalanxFederation",
            dependencies: ["PhalanxCore", "PhalanxProviders", "PhalanxLedger", "PhalanxControl"],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "PhalanxModel",
            dependencies: ["PhalanxCore"],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "PhalanxDSL",
            dependencies: ["PhalanxCore"],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "PhalanxPKI",
            dependencies: [
                "PhalanxCore",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
            ],
            swiftSettings: swiftSettings
        ),
        // The local safety agent's decisions (issue 9): normalization, detectors, the classifier, the policy engine,
        // receipts and the intervention ladder. No I/O beyond reading files it is handed.
        .target(
            name: "PhalanxAgent",
            dependencies: [
                "PhalanxCore",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Yams", package: "Yams"),
            ],
            // The shipped classifier, trained by scripts/train-default-model on the corpus scripts/build-corpus builds.
            resources: [.copy("Resources/attack-model.phxm")],
            swiftSettings: swiftSettings
        ),
        // The agent as a service: the events store (GRDB), receipts in the audit ledger, the HTTP API (Hummingbird).
        .target(
            name: "PhalanxAgentService",
            dependencies: [
                "PhalanxCore", "PhalanxAgent", "PhalanxLedger",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Yams", package: "Yams"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        // Federated training of the agent's classifier: strategies, compression, the averaging plug-in on the
        // secagg and dp providers, the non-IID evaluation.
        .target(
            name: "PhalanxTraining",
            dependencies: [
                "PhalanxCore", "PhalanxAgent", "PhalanxDSL", "PhalanxProviders", "PhalanxControl", "PhalanxFederation",
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: swiftSettings
        ),
        // Generated by scripts/generate-protos from Protos/; never edited by hand (the test command checks).
        .target(
            name: "PhalanxWire",
            dependencies: [
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
                .product(name: "GRPCCore", package: "grpc-swift-2"),
                .product(name: "GRPCProtobuf", package: "grpc-swift-protobuf"),
            ],
            exclude: ["Generated/PROTO_SOURCES.sha256"],
            swiftSettings: [.swiftLanguageMode(.v6)]
        ),
        .target(
            name: "PhalanxNetwork",
            dependencies: [
                "PhalanxCore", "PhalanxProviders", "PhalanxLedger", "PhalanxControl", "PhalanxFederation",
                "PhalanxPKI", "PhalanxWire", "PhalanxDSL",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Yams", package: "Yams"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "GRPCCore", package: "grpc-swift-2"),
                .product(name: "GRPCNIOTransportHTTP2", package: "grpc-swift-nio-transport"),
                .product(name: "GRPCProtobuf", package: "grpc-swift-protobuf"),
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "PhalanxCLI",
            dependencies: [
                "PhalanxCore", "PhalanxProviders", "PhalanxLedger", "PhalanxControl", "PhalanxFederation",
                "PhalanxSecAgg", "PhalanxDP", "PhalanxModel", "PhalanxDSL", "PhalanxPKI", "PhalanxNetwork",
                "PhalanxAgent", "PhalanxAgentService", "PhalanxTraining", "PhalanxFHE",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                // Not imported by the CLI: named so that its build sees the C modules Hummingbird's dependencies
                // bring (swift-system's), which PhalanxAgentService's public interface pulls in.
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: swiftSettings
        ),
        // What the test targets share: the seeded generator of their random cases. Not a product; tests only.
        .target(name: "_TestSupport", dependencies: ["PhalanxCore"], swiftSettings: swiftSettings),
        .executableTarget(
            name: "phalanx",
            dependencies: ["PhalanxCLI"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "PhalanxCoreTests",
            dependencies: ["_TestSupport", "PhalanxCore", .product(name: "Crypto", package: "swift-crypto")],
            exclude: ["Vectors"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "PhalanxSecAggTests",
            dependencies: [
                "_TestSupport",
                "PhalanxSecAgg", .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "CryptoExtras", package: "swift-crypto"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "PhalanxFHETests",
            dependencies: ["_TestSupport", "PhalanxFHE"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "PhalanxDPTests",
            dependencies: ["_TestSupport", "PhalanxDP"],
            exclude: ["Vectors"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "PhalanxProvidersTests", dependencies: ["_TestSupport", "PhalanxProviders", "PhalanxFHE"],
            swiftSettings: swiftSettings),
        .testTarget(
            name: "PhalanxLedgerTests",
            dependencies: ["_TestSupport", "PhalanxLedger", .product(name: "GRDB", package: "GRDB.swift")],
            exclude: ["Vectors"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "PhalanxControlTests", dependencies: ["_TestSupport", "PhalanxControl"], swiftSettings: swiftSettings),
        .testTarget(name: "PhalanxFederationTests", dependencies: ["PhalanxFederation"], swiftSettings: swiftSettings),
        .testTarget(name: "PhalanxModelTests", dependencies: ["PhalanxModel"], swiftSettings: swiftSettings),
        .testTarget(
            name: "PhalanxDSLTests", dependencies: ["_TestSupport", "PhalanxDSL"], swiftSettings: swiftSettings),
        // The shipped plug-ins compiled from their DSL source and run on every provider that implements them.
        .testTarget(
            name: "PhalanxPluginsTests",
            dependencies: ["PhalanxDSL", "PhalanxFederation", "PhalanxControl", "PhalanxProviders"],
            swiftSettings: swiftSettings
        ),
        .testTarget(name: "PhalanxCLITests", dependencies: ["PhalanxCLI"], swiftSettings: swiftSettings),
        .testTarget(
            name: "PhalanxAgentTests", dependencies: ["_TestSupport", "PhalanxAgent"], swiftSettings: swiftSettings),
        .testTarget(
            name: "PhalanxTrainingTests",
            dependencies: ["_TestSupport", "PhalanxTraining", "PhalanxAgent", "PhalanxControl"],
            swiftSettings: swiftSettings),
        .testTarget(
            name: "PhalanxAgentServiceTests",
            dependencies: [
                "PhalanxAgent", "PhalanxAgentService", "PhalanxLedger", "PhalanxCore",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "Yams", package: "Yams"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "PhalanxPKITests",
            dependencies: ["PhalanxPKI", .product(name: "X509", package: "swift-certificates")],
            swiftSettings: swiftSettings
        ),
        // Separate processes over real loopback sockets with mutual TLS: the built `phalanx` binary is run.
        .testTarget(
            name: "PhalanxNetworkTests",
            dependencies: [
                "PhalanxNetwork", "PhalanxPKI", "PhalanxFederation", "PhalanxLedger", "PhalanxCore", "PhalanxWire",
                "PhalanxControl",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "GRPCCore", package: "grpc-swift-2"),
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
            ],
            swiftSettings: swiftSettings
        ),
    ]
)
