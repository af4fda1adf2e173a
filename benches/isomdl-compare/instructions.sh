#!/usr/bin/env bash
# Instructions per Annex D verification, isomdl 0.2.0 vs kakunin (callgrind,
# (N=25 - N=5) / 20, as ../instructions.sh). Usage: bash instructions.sh [--features aws-lc]
set -euo pipefail
cd "$(dirname "$0")"
target="${CARGO_TARGET_DIR:-target}"
cargo build --quiet --release --example isomdl_loop "$@"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cp "$target/release/examples/isomdl_loop" "$work/bin"
count() {
    valgrind --tool=callgrind --callgrind-out-file="$work/cg.out" "$work/bin" "$1" "$2" 2>&1 >/dev/null |
        sed -n 's/.*Collected : \([0-9]*\).*/\1/p'
}
for side in isomdl kakunin-miss kakunin-hit; do
    lo=$(count 5 "$side")
    hi=$(count 25 "$side")
    echo "$side: $(((hi - lo) / 20)) instructions per Annex D verification"
done
