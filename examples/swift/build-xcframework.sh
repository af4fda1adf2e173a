#!/usr/bin/env bash
# Builds Kakunin.xcframework at the repository root (what the root
# Package.swift consumes): the C ABI as a static library for iOS devices, the
# iOS simulator and macOS, from the stripped release profile, with the header
# and module map under Headers/Kakunin/ (a top-level module.modulemap would
# collide with other XCFrameworks in the same app). macOS with Xcode only.
#
#   examples/swift/build-xcframework.sh            # ./Kakunin.xcframework
#   examples/swift/build-xcframework.sh --zip      # also the release zip and its checksum
#
# For a release: upload Kakunin.xcframework.zip and put its URL and the
# printed checksum into Package.swift (releaseURL, releaseChecksum).
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
target_dir="${CARGO_TARGET_DIR:-target}"
targets=(aarch64-apple-ios aarch64-apple-ios-sim x86_64-apple-ios aarch64-apple-darwin x86_64-apple-darwin)
for t in "${targets[@]}"; do
  rustup target add "$t"
  cargo rustc --locked --release --lib --features capi --crate-type staticlib --target "$t"
done
out="$target_dir/xcframework"
rm -rf "$out" Kakunin.xcframework
mkdir -p "$out/Headers/Kakunin" "$out/ios" "$out/ios-sim" "$out/macos"
cp include/kakunin.h "$out/Headers/Kakunin/"
cat >"$out/Headers/Kakunin/module.modulemap" <<'EOF'
module Kakunin {
    header "kakunin.h"
    link "kakunin"
    export *
}
EOF
# Debug info stays out of what ships (strip -S keeps the global symbols).
cp "$target_dir/aarch64-apple-ios/release/libkakunin.a" "$out/ios/libkakunin.a"
lipo -create "$target_dir/aarch64-apple-ios-sim/release/libkakunin.a" "$target_dir/x86_64-apple-ios/release/libkakunin.a" \
     -output "$out/ios-sim/libkakunin.a"
lipo -create "$target_dir/aarch64-apple-darwin/release/libkakunin.a" "$target_dir/x86_64-apple-darwin/release/libkakunin.a" \
     -output "$out/macos/libkakunin.a"
for a in "$out"/ios/libkakunin.a "$out"/ios-sim/libkakunin.a "$out"/macos/libkakunin.a; do
  strip -S "$a"
done
xcodebuild -create-xcframework \
  -library "$out/ios/libkakunin.a" -headers "$out/Headers" \
  -library "$out/ios-sim/libkakunin.a" -headers "$out/Headers" \
  -library "$out/macos/libkakunin.a" -headers "$out/Headers" \
  -output Kakunin.xcframework
echo "built Kakunin.xcframework"
if [ "${1:-}" = "--zip" ]; then
  rm -f Kakunin.xcframework.zip
  ditto -c -k --sequesterRsrc --keepParent Kakunin.xcframework Kakunin.xcframework.zip
  echo "checksum for Package.swift: $(swift package compute-checksum Kakunin.xcframework.zip)"
fi
