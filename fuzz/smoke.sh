#!/usr/bin/env bash
# CI smoke test for the fuzz targets: build them (nightly, AddressSanitizer) and
# run each for a short time from its seeds. Exits non-zero on any crash, leak,
# timeout or out-of-memory, and on build failure.
#
# Usage: fuzz/smoke.sh [seconds per target]   (default 16: thirteen targets, about
# the three and a half minutes that five took at 30)
# Environment: FUZZ_TARGETS="index record" to run a subset.
#
# Crash inputs land in fuzz/artifacts/<target>/; replay one with
#   cargo +nightly fuzz run <target> fuzz/artifacts/<target>/crash-...
# and, once fixed, commit it under tests/fuzz_regressions/<target>/.
set -euo pipefail

SECONDS_PER_TARGET="${1:-16}"
TARGETS="${FUZZ_TARGETS:-index chunked_index record file differential marc8 marc8_encode sidecar marcxml json mrk arrow edit}"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

if ! cargo +nightly --version >/dev/null 2>&1; then
    echo "smoke.sh: a nightly toolchain is needed (rustup toolchain install nightly)" >&2
    exit 2
fi
if ! cargo fuzz --version >/dev/null 2>&1; then
    echo "smoke.sh: installing cargo-fuzz" >&2
    cargo install cargo-fuzz --locked
fi

start=$(date +%s)
cargo +nightly fuzz build

status=0
failed=""
logs="$(mktemp -d)"
for target in $TARGETS; do
    echo "=== $target: ${SECONDS_PER_TARGET}s ==="
    # A scratch corpus: the committed seeds stay read-only.
    corpus="$(mktemp -d)"
    # The log is kept so that a failure can be summed up at the very end:
    # CI shows only the tail of this script's output.
    if ! cargo +nightly fuzz run "$target" "$corpus" "fuzz/seeds/$target" -- \
        -dict=fuzz/marc.dict \
        -max_total_time="$SECONDS_PER_TARGET" \
        -timeout=10 \
        -rss_limit_mb=2048 \
        -print_final_stats=1 2>&1 | tee "$logs/$target.log"; then
        echo "smoke.sh: $target FAILED (input in fuzz/artifacts/$target/)" >&2
        failed="$failed $target"
        status=1
    fi
    rm -rf "$corpus"
done
# What failed, and why, last: the sanitizer's or the panic's own lines, and
# each crash input in base64 so that it can be replayed from a CI log alone.
for target in $failed; do
    echo "=== smoke.sh: $target failed ==="
    # From the first report on: the panic's message or the sanitizer's stack.
    sed -n '/panicked at\|^==[0-9]*== *ERROR\|^ALARM/,$p' "$logs/$target.log" |
        grep -v -E "^#[0-9]+|^\s*\"|Uses: [0-9]+" | head -40 || true
    for input in $(sed -n 's/.*Test unit written to //p' "$logs/$target.log"); do
        [ -f "$input" ] || continue
        size=$(wc -c < "$input")
        if [ "$size" -le 65536 ]; then
            echo "--- $input ($size bytes), base64:"
            base64 -w 0 "$input"
            echo
        else
            echo "--- $input ($size bytes): too large for the log, its first 4096 bytes in base64:"
            head -c 4096 "$input" | base64 -w 0
            echo
        fi
    done
done
rm -rf "$logs"
echo "smoke.sh: $(( $(date +%s) - start ))s in all, status $status${failed:+, failed:$failed}"
exit "$status"
