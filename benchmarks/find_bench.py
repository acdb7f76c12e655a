"""Finding benchmark: ``marcmap count|filter|frequency|select`` against DNB's
``marc21`` CLI (marc21-cli 0.7.0, Rust), side by side in one run, on the whole
LoC file; and ``extract`` with today's spec forms against a baseline build.

    python benchmarks/find_bench.py [FILE] [--rounds N] [--baseline DIR]

``marc21`` is found as ``$MARC21``, on ``PATH``, or in ``benchmarks/data/marc21-cli``;
when it is missing the script installs it there itself with
``cargo install marc21-cli --version 0.7.0 --locked --root benchmarks/data/marc21-cli``.

The questions, each asked of both tools as a process (output to /dev/null):

- count: ``marc21 count -s`` / ``marcmap count --no-decode`` (marcmap also checks
  every record's structure, and reports damage);
- filter on a condition: ``marc21 filter -s "040/*.a == 'DLC'"`` / ``marcmap
  filter '040$a = DLC' FILE -`` (the matching records written as ISO 2709);
- frequency of a subfield: ``marc21 frequency -s "650/*.a"`` / ``marcmap
  frequency '650$a'``;
- select of three specs to CSV: ``marc21 select -s --merge "001, 245/*.a,
  650/*.a"`` / ``marcmap select 001 '245$a' '650$a'`` (one row a record, repeated
  values joined by ``|`` in both).

marcmap runs with ``--threads 1`` and ``--threads 2``, as a process (Python's
start and the import of marcmap, about 0.04 s, paid each time; the package is
compiled to bytecode first, as ``pip install`` does) and in process (the file
opened on the row's threads, then ``validate(decode=False)``,
``where(...).write(os.devnull)``, ``frequency(...)``, ``to_csv(os.devnull,
...)``). Before timing, the answers are compared: the filter's record count, the
frequency table, and the select's rows (marc21 quotes a value with a trailing
space differently, so cells are compared stripped). Each row is the median of
``--rounds`` (default 5) rounds, the rows interleaved in each round so that a
change in the machine's load hits them all alike; wall and CPU (user + system)
time are both reported.

``--baseline DIR``: a directory holding an older build of the ``marcmap``
package (its ``marcmap/`` with ``_marcmap.abi3.so``); ``extract`` of the specs
today's language already had (``001``, ``245``, ``245$a``, ``650$ax``,
``LDR/06``, ``008/35-37``) is then timed in this build and in that one, each in
its own process, alternating, one thread: in each process a spec is run once to
warm up, then timed five times and the best kept; the table gives the median of
``--rounds`` processes a build.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from _anchor import compile_marcmap, find_marc21, interleaved, process

DEFAULT = Path(__file__).parent / "data" / "BooksAll.2016.part01.utf8"
OLD_SPECS = ["001", "245", "245$a", "650$ax", "LDR/06", "008/35-37"]


def output(argv: list[str]) -> str:
    return subprocess.run(argv, capture_output=True, check=True).stdout.decode("utf-8")


def check_agreement(marc21: str, mm: list[str], path: Path) -> str:
    """Asks both tools the same questions and compares the answers."""
    theirs = output([marc21, "filter", "-s", "040/*.a == 'DLC'", str(path)])
    n_theirs = theirs.count("\x1d")
    ours = subprocess.run(
        [*mm, "filter", "040$a = DLC", str(path), "-"], capture_output=True, check=True
    ).stdout
    n_ours = ours.count(b"\x1d")
    if n_ours != n_theirs:
        raise SystemExit(f"filter: marc21 {n_theirs} records, marcmap {n_ours}")

    def table(argv: list[str]) -> list[list[str]]:
        return list(csv.reader(io.StringIO(output(argv))))

    freq_theirs = table([marc21, "frequency", "-s", "650/*.a", str(path)])
    freq_ours = table([*mm, "frequency", "650$a", str(path), "--format", "csv"])[1:]
    if sorted(map(tuple, freq_theirs)) != sorted(map(tuple, freq_ours)):
        raise SystemExit("frequency: the tables differ")
    sel_theirs = table([marc21, "select", "-s", "--merge", "001, 245/*.a, 650/*.a", str(path)])[1:]
    sel_ours = table([*mm, "select", "001", "245$a", "650$a", str(path)])[1:]

    def norm(rows: list[list[str]]) -> list[tuple[str, ...]]:
        return [tuple(c.strip() for c in r) for r in rows]

    if norm(sel_theirs) != norm(sel_ours):
        diff = sum(a != b for a, b in zip(norm(sel_theirs), norm(sel_ours), strict=False))
        raise SystemExit(f"select: {len(sel_theirs)} rows against {len(sel_ours)}, {diff} differ")
    return (
        f"filter: {n_theirs:,} records; frequency: {len(freq_ours):,} values; "
        f"select: {len(sel_ours):,} rows: the same in both"
    )


EXTRACT = """
import json, sys, time
import marcmap
reader = marcmap.MARCReader(sys.argv[1])
specs = json.loads(sys.argv[2])
best = {}
for spec in specs:
    reader.extract(spec, threads=1)
    best[spec] = float("inf")
    for _ in range(5):
        t = time.perf_counter(); reader.extract(spec, threads=1)
        best[spec] = min(best[spec], time.perf_counter() - t)
print(json.dumps(best))
"""


def extract_times(pythonpath: str, path: Path) -> dict[str, float]:
    env = {**os.environ, "PYTHONPATH": pythonpath}
    out = subprocess.run(
        [sys.executable, "-c", EXTRACT, str(path), json.dumps(OLD_SPECS)],
        capture_output=True,
        check=True,
        env=env,
    )
    times: dict[str, float] = json.loads(out.stdout)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("file", nargs="?", type=Path, default=DEFAULT)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--baseline", type=Path, default=None)
    args = parser.parse_args()
    path: Path = args.file
    if not path.is_file():
        raise SystemExit(f"{path} is missing: run benchmarks/fetch_data.sh first")
    marc21 = find_marc21()
    version = subprocess.run([marc21, "--version"], capture_output=True, text=True).stdout.strip()
    mm = [sys.executable, "-m", "marcmap"]
    compile_marcmap()
    agreement = check_agreement(marc21, mm, path)
    f = str(path)
    # Each question: marc21's command, and marcmap's (run with --threads 1 and 2).
    questions: dict[str, tuple[list[str], list[str]]] = {
        "count": ([marc21, "count", "-s", f], [*mm, "count", f, "--no-decode"]),
        "filter 040$a = DLC": (
            [marc21, "filter", "-s", "040/*.a == 'DLC'", f],
            [*mm, "filter", "040$a = DLC", f, "-"],
        ),
        "frequency 650$a": (
            [marc21, "frequency", "-s", "650/*.a", f],
            [*mm, "frequency", "650$a", f],
        ),
        "select 001 245$a 650$a (CSV)": (
            [marc21, "select", "-s", "--merge", "001, 245/*.a, 650/*.a", f],
            [*mm, "select", "001", "245$a", "650$a", f],
        ),
    }
    rows: dict[str, Callable[[], tuple[float, float]]] = {}

    def run(argv: list[str]) -> Callable[[], tuple[float, float]]:
        return lambda: process(argv)

    for q, (theirs, ours) in questions.items():
        rows[f"{q}: marc21"] = run(theirs)
        rows[f"{q}: marcmap, 1 thread"] = run([*ours, "--threads", "1"])
        rows[f"{q}: marcmap, 2 threads"] = run([*ours, "--threads", "2"])
    # The same work in process: Python's start and import paid once.
    import marcmap

    def opened(threads: int) -> marcmap.MARCReader[str]:
        # Opened on the threads of the row too: "1 thread" is one core
        # throughout (the index scan and the release of the mapping included).
        return marcmap.MARCReader(f, index="off", threads=threads)

    def in_process(work: Callable[[], object]) -> Callable[[], tuple[float, float]]:
        def timed() -> tuple[float, float]:
            c, t = time.process_time(), time.perf_counter()
            work()
            return time.perf_counter() - t, time.process_time() - c

        return timed

    for n in (1, 2):
        rows[f"count: in process, {n} thread{'s' * (n > 1)}"] = in_process(
            lambda n=n: len(opened(n).validate(decode=False, threads=n))  # type: ignore[misc]
        )
        rows[f"filter 040$a = DLC: in process, {n} thread{'s' * (n > 1)}"] = in_process(
            lambda n=n: opened(n).where("040$a = DLC").write(os.devnull, threads=n)  # type: ignore[misc]
        )
        rows[f"frequency 650$a: in process, {n} thread{'s' * (n > 1)}"] = in_process(
            lambda n=n: opened(n).frequency("650$a", threads=n)  # type: ignore[misc]
        )
        rows[f"select 001 245$a 650$a (CSV): in process, {n} thread{'s' * (n > 1)}"] = in_process(
            lambda n=n: opened(n).to_csv(os.devnull, ["001", "245$a", "650$a"], threads=n)  # type: ignore[misc]
        )
    load = os.getloadavg()
    wall, cpu = interleaved(rows, args.rounds)
    print(
        f"{path.name}: {path.stat().st_size / 1e6:.1f} MB; {version}; median of {args.rounds} "
        f"rounds; load average {load[0]:.1f} before, {os.getloadavg()[0]:.1f} after, "
        f"{os.cpu_count()} cores. {agreement}."
    )
    print()
    print("| question | tool | wall s | CPU s |")
    print("|---|---|---:|---:|")
    for name in rows:
        q, tool = name.split(": ", 1)
        print(f"| {q} | {tool} | {wall[name]:.3f} | {cpu[name]:.3f} |")
    print()
    for q in questions:
        base = f"{q}: marc21"
        one, two = f"{q}: marcmap, 1 thread", f"{q}: marcmap, 2 threads"
        print(
            f"- {q}: marcmap on 1 thread {wall[base] / wall[one]:.2f}x marc21 by wall time, "
            f"{cpu[base] / cpu[one]:.2f}x by CPU time; 2 threads {wall[one] / wall[two]:.2f}x "
            "1 thread by wall time"
        )
    for q in questions:
        base, one, two = f"{q}: marc21", f"{q}: in process, 1 thread", f"{q}: in process, 2 threads"
        print(
            f"- {q}, in process: 1 thread {wall[base] / wall[one]:.2f}x marc21 by wall time, "
            f"{cpu[base] / cpu[one]:.2f}x by CPU time; 2 threads {wall[one] / wall[two]:.2f}x "
            "1 thread by wall time"
        )
    if args.baseline:
        here = str(Path(__file__).resolve().parents[1] / "python")
        new: dict[str, list[float]] = {s: [] for s in OLD_SPECS}
        old: dict[str, list[float]] = {s: [] for s in OLD_SPECS}
        for _ in range(args.rounds):
            for spec, t in extract_times(here, path).items():
                new[spec].append(t)
            for spec, t in extract_times(str(args.baseline), path).items():
                old[spec].append(t)
        print()
        print("| extract, 1 thread | baseline s | this build s | this / baseline |")
        print("|---|---:|---:|---:|")
        for spec in OLD_SPECS:
            a, b = statistics.median(old[spec]), statistics.median(new[spec])
            print(f"| `{spec}` | {a:.3f} | {b:.3f} | {b / a:.2f} |")


if __name__ == "__main__":
    main()
