// swift-tools-version:6.1
// The two protoc plug-ins that turn Protos/*.proto into Swift: swift-protobuf's message generator and
// grpc-swift-protobuf's service generator. Built only by scripts/generate-protos (about 10 minutes the first
// time); the generated code is committed, so neither the build nor the tests need them.
import PackageDescription

let package = Package(
    name: "PhalanxProtocPlugins",
    dependencies: [
        .package(url: "https://github.com/apple/swift-protobuf.git", exact: "1.39.0"),
        .package(url: "https://github.com/grpc/grpc-swift-protobuf.git", exact: "2.4.1"),
    ],
    targets: []
)
