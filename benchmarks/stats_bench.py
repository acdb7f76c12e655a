"""Stats benchmark: ``marcmap stats`` (the whole-file profile) against DNB's
``marc21 describe`` (marc21-cli 0.7.0, Rust: a frequency table of subfield codes
by tag and indicators), side by side in one run, on the whole LoC file.

    python benchmarks/stats_bench.py [FILE] [--rounds N]

``marc21`` is found as ``$MARC21``, on ``PATH``, or in ``benchmarks/data/marc21-cli``;
when it is missing the script installs it there itself with
``cargo install marc21-cli --version 0.7.0 --locked --root benchmarks/data/marc21-cli``.

Rows, each the median of ``--rounds`` (default 5) runs, the rows interleaved in
each round so that a change in the machine's load hits them all alike:

- ``marc21 describe FILE -o /dev/null`` (a process: its wall time, and its CPU
  time, user + system, from ``getrusage``);
- ``marcmap stats FILE --format json --threads 1`` (a process, the same way:
  Python's start, indexing the file, the profile, printing its JSON);
- the same with ``--threads 2``;
- in process: ``MARCReader(FILE, index="off", threads=n).stats(threads=n)``
  for n = 1 and 2 (the file indexed and profiled, on n threads throughout; wall
  and CPU time);
- in process, ``stats(threads=1, lint=True)``: the default lint rules counted in
  the same pass.

The ratios: ``marc21 describe`` against ``marcmap stats`` on one thread, by wall
and by CPU time (CPU time is what a loaded machine distorts least), and 2 threads
against 1 by wall time. Before timing, the subfield counts of both are compared
tag by tag (``describe`` counts codes 0-9 and a-z by tag and indicators; summed
over the indicators they must equal the profile's per-tag counts).
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import marcmap
from _anchor import compile_marcmap, find_marc21, interleaved, process

DEFAULT = Path(__file__).parent / "data" / "BooksAll.2016.part01.utf8"


def in_process(fn: Callable[[], object]) -> tuple[float, float]:
    """Runs `fn` here; its wall and CPU time (every thread of this process)."""
    c, t = time.process_time(), time.perf_counter()
    fn()
    return time.perf_counter() - t, time.process_time() - c


def check_agreement(marc21: str, path: Path) -> int:
    """Compares ``describe``'s subfield counts with the profile's; returns the
    number of (tag, code) pairs compared."""
    out = subprocess.run([marc21, "describe", str(path)], capture_output=True, check=True)
    rows = list(csv.reader(io.StringIO(out.stdout.decode("utf-8"))))
    head, body = rows[0], rows[1:]
    codes = head[3:]
    theirs: Counter[tuple[str, str]] = Counter()
    for row in body:
        for code, n in zip(codes, row[3:], strict=True):
            theirs[(row[0], code)] += int(n)
    tags = marcmap.MARCReader(str(path), index="off").stats().tags
    compared = 0
    for (tag, code), n in theirs.items():
        ours = tags.get(tag, {}).get("subfields", {}).get(code, {}).get("occurrences", 0)
        if ours != n:
            raise SystemExit(f"disagreement on {tag}${code}: marc21 describe {n}, marcmap {ours}")
        compared += 1
    return compared


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("file", nargs="?", type=Path, default=DEFAULT)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    path: Path = args.file
    if not path.is_file():
        raise SystemExit(f"{path} is missing: run benchmarks/fetch_data.sh first")
    marc21 = find_marc21()
    version = subprocess.run([marc21, "--version"], capture_output=True, text=True).stdout.strip()
    compile_marcmap()
    compared = check_agreement(marc21, path)
    reader = marcmap.MARCReader(str(path), index="off")
    records, size = len(reader), path.stat().st_size
    cli = [sys.executable, "-m", "marcmap", "stats", str(path), "--format", "json"]

    def stats(threads: int, lint: bool = False) -> Callable[[], object]:
        # Opened on the row's threads too: "1 thread" is one core throughout.
        return lambda: marcmap.MARCReader(str(path), index="off", threads=threads).stats(
            threads=threads, lint=lint
        )

    rows: dict[str, Callable[[], tuple[float, float]]] = {
        f"{version} describe (process)": lambda: process([marc21, "describe", str(path)]),
        "marcmap stats --threads 1 (process)": lambda: process([*cli, "--threads", "1"]),
        "marcmap stats --threads 2 (process)": lambda: process([*cli, "--threads", "2"]),
        "reader.stats(threads=1)": lambda: in_process(stats(1)),
        "reader.stats(threads=2)": lambda: in_process(stats(2)),
        "reader.stats(threads=1, lint=True)": lambda: in_process(stats(1, lint=True)),
    }
    load = os.getloadavg()
    wall, cpu = interleaved(rows, args.rounds)
    print(
        f"{path.name}: {size / 1e6:.1f} MB, {records:,} records; median of {args.rounds} "
        f"rounds; load average {load[0]:.1f} before, {os.getloadavg()[0]:.1f} after, "
        f"{os.cpu_count()} cores; subfield counts agree with marc21 describe on "
        f"{compared:,} tag/code pairs"
    )
    print()
    print("| row | wall s | CPU s | records/s (wall) |")
    print("|---|---:|---:|---:|")
    for name in rows:
        print(f"| {name} | {wall[name]:.3f} | {cpu[name]:.3f} | {records / wall[name]:,.0f} |")
    base = f"{version} describe (process)"
    one, two = "marcmap stats --threads 1 (process)", "marcmap stats --threads 2 (process)"
    print()
    print(
        f"- marcmap stats, 1 thread, against marc21 describe: {wall[base] / wall[one]:.2f}x "
        f"by wall time, {cpu[base] / cpu[one]:.2f}x by CPU time (target >= 3x)"
    )
    r1, r2 = "reader.stats(threads=1)", "reader.stats(threads=2)"
    print(
        f"- in process, 1 thread, against marc21 describe: {wall[base] / wall[r1]:.2f}x by "
        f"wall time, {cpu[base] / cpu[r1]:.2f}x by CPU time"
    )
    print(
        f"- 2 threads against 1: {wall[one] / wall[two]:.2f}x (process), "
        f"{wall[r1] / wall[r2]:.2f}x (in process), by wall time"
    )
    lint = "reader.stats(threads=1, lint=True)"
    print(f"- lint counts in the same pass cost {cpu[lint] / cpu[r1]:.2f}x the profile's CPU")


if __name__ == "__main__":
    main()
