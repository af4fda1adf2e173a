#!/usr/bin/env bash
# Builds the Kotlin binding and its JVM test, and runs the test against
# libkakunin.so. Needs Java 17, Debian's `kotlin` (1.3) and `libjna-java`.
# Usage (from anywhere): examples/kotlin/run-test.sh [DIR_WITH_libkakunin.so]
# Default library dir: ${CARGO_TARGET_DIR:-target}/release (cargo build --release).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
cd "$root"
target="${CARGO_TARGET_DIR:-$root/target}"
libdir="${1:-$target/release}"
[ -f "$libdir/libkakunin.so" ] || { echo "run-test.sh: no libkakunin.so in $libdir" >&2; exit 2; }
jna=/usr/share/java/jna.jar
stdlib=/usr/share/java/kotlin-stdlib.jar
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
kotlinc -nowarn -cp "$jna" -d "$out/kakunin-test.jar" \
    "$here/src/main/kotlin/kakunin/Kakunin.kt" "$here/src/test/kotlin/KakuninTest.kt" \
    "$here/src/main/kotlin/kakunin/OpenId4Vp.kt" "$here/src/test/kotlin/OpenId4VpTest.kt"
java -Djna.library.path="$libdir" -cp "$out/kakunin-test.jar:$jna:$stdlib" KakuninTestKt
java -Djna.library.path="$libdir" -cp "$out/kakunin-test.jar:$jna:$stdlib" oid4vptest.OpenId4VpTestKt
