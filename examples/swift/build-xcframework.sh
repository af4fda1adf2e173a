#!/usr/bin/env bash
# Builds Kakunin.xcframework (static libkakunin.a for iOS devices, the iOS
# simulator and macOS, with include/kakunin.h and include/module.modulemap as
# headers) for the Swift package in this directory. macOS with Xcode only.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
targets=(aarch64-apple-ios aarch64-apple-ios-sim x86_64-apple-ios aarch64-apple-darwin x86_64-apple-darwin)
for t in "${targets[@]}"; do
  rustup target add "$t"
  cargo build --release --lib --target "$t"
done
out=target/xcframework
rm -rf "$out" examples/swift/Kakunin.xcframework
mkdir -p "$out/headers" "$out/ios-sim" "$out/macos"
cp include/kakunin.h include/module.modulemap "$out/headers/"
lipo -create target/aarch64-apple-ios-sim/release/libkakunin.a target/x86_64-apple-ios/release/libkakunin.a \
     -output "$out/ios-sim/libkakunin.a"
lipo -create target/aarch64-apple-darwin/release/libkakunin.a target/x86_64-apple-darwin/release/libkakunin.a \
     -output "$out/macos/libkakunin.a"
xcodebuild -create-xcframework \
  -library target/aarch64-apple-ios/release/libkakunin.a -headers "$out/headers" \
  -library "$out/ios-sim/libkakunin.a" -headers "$out/headers" \
  -library "$out/macos/libkakunin.a" -headers "$out/headers" \
  -output examples/swift/Kakunin.xcframework
echo "built examples/swift/Kakunin.xcframework"
