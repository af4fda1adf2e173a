#!/usr/bin/env bash
# Instructions per ISO 18013-5 Annex D verification, per crypto backend,
# counted by callgrind: repeatable on a noisy machine. The fixed
# cost of the process (loading, setup, first-use initialisation) is removed by
# counting N=25 and N=5 iterations and dividing the difference by 20.
#
# stdout: exactly one line per backend,
#   <backend>: <N> instructions per Annex D verification
# (a full verification: Document Signer cache disabled). stderr: the same
# for a DS-cache hit, for the primitives alone, and the overhead ratio.
#
# Usage: bash benches/instructions.sh   (needs valgrind; uses CARGO_TARGET_DIR)
set -euo pipefail
cd "$(dirname "$0")/.."
command -v valgrind >/dev/null || { echo "instructions.sh: valgrind is required" >&2; exit 2; }
target="${CARGO_TARGET_DIR:-target}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

count() { # binary N mode -> instructions
    valgrind --tool=callgrind --callgrind-out-file="$work/cg.out" "$1" "$2" "$3" 2>&1 >/dev/null |
        sed -n 's/.*Collected : \([0-9]*\).*/\1/p'
}
per_iteration() { # binary mode -> instructions per iteration
    local lo hi
    lo=$(count "$1" 5 "$2")
    hi=$(count "$1" 25 "$2")
    echo $(((hi - lo) / 20))
}

for backend in rustcrypto aws-lc; do
    features=()
    [ "$backend" = aws-lc ] && features=(--features aws-lc)
    cargo build --quiet --release --example annex_d_loop "${features[@]}"
    bin="$work/annex_d_loop-$backend"
    cp "$target/release/examples/annex_d_loop" "$bin"
    full=$(per_iteration "$bin" miss)
    hit=$(per_iteration "$bin" hit)
    prim=$(per_iteration "$bin" primitives)
    echo "$backend: $full instructions per Annex D verification"
    awk -v b="$backend" -v f="$full" -v h="$hit" -v p="$prim" 'BEGIN {
        printf "  %s: %d on a DS-cache hit; primitives alone %d; overhead %.3fx (full / primitives)\n", b, h, p, f / p
    }' >&2
done
