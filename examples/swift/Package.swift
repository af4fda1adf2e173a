// swift-tools-version:5.7
// A thin Swift wrapper over kakunin's C ABI. The C library comes as an
// XCFramework (static libkakunin.a per platform + include/kakunin.h +
// include/module.modulemap, which declares the clang module `Kakunin`);
// build it with ./build-xcframework.sh (see README.md).
import PackageDescription

let package = Package(
    name: "KakuninSwift",
    platforms: [.iOS(.v15), .macOS(.v12)],
    products: [
        .library(name: "KakuninSwift", targets: ["KakuninSwift"]),
    ],
    targets: [
        .binaryTarget(name: "Kakunin", path: "Kakunin.xcframework"),
        .target(name: "KakuninSwift", dependencies: ["Kakunin"]),
        .testTarget(
            name: "KakuninSwiftTests",
            dependencies: ["KakuninSwift"]
        ),
    ]
)
