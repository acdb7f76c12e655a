#!/usr/bin/env bash
# Fetches the real benchmark file: the Library of Congress "BooksAll.2016.part01.utf8"
# (241 MB, UTF-8 MARC 21), which ships inside pymarc 5.4.0's source distribution on PyPI.
#
# Usage: benchmarks/fetch_data.sh            (from anywhere)
# Result: benchmarks/data/BooksAll.2016.part01.utf8 (gitignored; never commit it)
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
data="$here/data"
name="BooksAll.2016.part01.utf8"
out="$data/$name"

if [[ -s "$out" ]]; then
    echo "$out already present ($(wc -c <"$out") bytes); skipping download"
    exit 0
fi

mkdir -p "$data"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

pip="${PIP:-}"
if [[ -z "$pip" ]]; then
    if command -v pip >/dev/null 2>&1; then pip="pip"; else pip="python3 -m pip"; fi
fi
# The sdist only: the wheel does not carry the test data.
$pip download --no-deps --no-binary :all: pymarc==5.4.0 -d "$tmp"

sdist="$(ls "$tmp"/pymarc-5.4.0.tar.gz)"
member="$(tar -tzf "$sdist" | grep -E "(^|/)$name\$" | head -n 1)"
if [[ -z "$member" ]]; then
    echo "error: $name not found in $sdist" >&2
    exit 1
fi
# Extract that one member, stream it to a temporary name, then move into place
# so an interrupted run never leaves a partial file behind.
tar -xzOf "$sdist" "$member" >"$out.part"
mv "$out.part" "$out"
echo "wrote $out ($(wc -c <"$out") bytes)"
