// swift-tools-version:5.9
// SwiftPM manifest for kakunin on Apple platforms: the C library as an
// XCFramework (static libkakunin.a per platform; headers and module map under
// Headers/Kakunin/ so they cannot collide with other XCFrameworks) and the
// Swift wrapper in examples/swift.
//
// - Release: the XCFramework is downloaded from the release (url + checksum,
//   both written by examples/swift/build-xcframework.sh at release time; the
//   URL below is a placeholder until the first public release).
// - Development: run examples/swift/build-xcframework.sh (macOS, Xcode) to get
//   ./Kakunin.xcframework, then set KAKUNIN_LOCAL_XCFRAMEWORK=1 (or just have
//   the folder present) to use it through `path:`.
import Foundation
import PackageDescription

let releaseURL = "https://github.com/kakunin-rs/kakunin/releases/download/v0.1.0/Kakunin.xcframework.zip"
let releaseChecksum = "0000000000000000000000000000000000000000000000000000000000000000"

let packageDir = URL(fileURLWithPath: #filePath).deletingLastPathComponent().path
let useLocal = ProcessInfo.processInfo.environment["KAKUNIN_LOCAL_XCFRAMEWORK"] != nil
    || FileManager.default.fileExists(atPath: packageDir + "/Kakunin.xcframework")

let kakuninBinary: Target = useLocal
    ? .binaryTarget(name: "Kakunin", path: "Kakunin.xcframework")
    : .binaryTarget(name: "Kakunin", url: releaseURL, checksum: releaseChecksum)

let package = Package(
    name: "Kakunin",
    platforms: [.iOS(.v15), .macOS(.v12)],
    products: [
        .library(name: "KakuninSwift", targets: ["KakuninSwift"]),
    ],
    targets: [
        kakuninBinary,
        .target(
            name: "KakuninSwift",
            dependencies: ["Kakunin"],
            path: "examples/swift/Sources/KakuninSwift"
        ),
        .testTarget(
            name: "KakuninSwiftTests",
            dependencies: ["KakuninSwift"],
            path: "examples/swift/Tests/KakuninSwiftTests"
        ),
    ]
)
