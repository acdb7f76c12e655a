"""Lint benchmark: ``reader.lint()`` against MARC::Lint 1.53 (Perl, Debian
``libmarc-lint-perl``) on the first 20,000 records of the LoC file, side by side in
one run; 2 threads against 1; the whole file; and lint against a ``validate()`` pass.

    python benchmarks/lint_bench.py [FILE] [--records N] [--rounds N]

FILE defaults to ``benchmarks/data/BooksAll.2016.part01.utf8``
(``benchmarks/fetch_data.sh`` fetches it). MARC::Lint must be installed
(``apt-get install libmarc-lint-perl``).

Rows (the first ``--records`` records, written to a temporary file first):

- MARC::Lint: one Perl process reading the file with ``MARC::File::USMARC`` and
  calling ``check_record`` on every record (its wall time, and its CPU time, user +
  system, from ``getrusage``); run once per round, like every other row;
- ``reader.lint(rules=["all"], threads=1)`` and ``threads=2``, in process (wall
  time, and CPU time of the process);
- ``reader.lint(threads=1)``: the default rules;
- ``reader.validate(threads=1)``: the structural and text check lint is compared
  with (``lint(rules=["all"])`` should cost at most 3x it).

Then the whole file: ``lint(rules=["all"])`` and ``validate()`` on 1 and 2 threads
(validate's scaling shows what the machine gives two threads at that moment).

Each marcmap row is the median of ``--rounds`` (default 5) runs, the rows
interleaved in each round so that a change in the machine's load hits them all
alike; MARC::Lint runs ``min(rounds, 2)`` times (about 15 s each). The ratios are
printed by wall time and by CPU time (what a loaded machine distorts least). Before
timing, the warning counts are printed: MARC::Lint's warnings and marcmap's
findings (``tests/lint.rs`` checks, on the corpus, that marcmap reproduces every
MARC::Lint warning).
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import marcmap

HERE = Path(__file__).resolve().parent
DEFAULT = HERE / "data" / "BooksAll.2016.part01.utf8"

PERL = r"""
use strict; use warnings;
use MARC::File::USMARC; use MARC::Lint;
$SIG{__WARN__} = sub { };
my $file = MARC::File::USMARC->in($ARGV[0]) or die "cannot open $ARGV[0]";
my $lint = MARC::Lint->new;
my ($records, $warnings) = (0, 0);
while (my $record = $file->next) {
    # check_020 dies on some 020 $z with Business::ISBN 3 (is_valid_checksum as a function).
    eval { $lint->check_record($record) };
    $warnings += scalar($lint->warnings);
    $records++;
}
print "$records $warnings\n";
"""


def first_records(path: Path, n: int) -> bytes:
    """The bytes of the first ``n`` records (stepping by the leader's length)."""
    data = path.read_bytes()
    at = 0
    for _ in range(n):
        at += int(data[at : at + 5])
    return data[:at]


def marc_lint(path: str) -> tuple[float, float, int, int]:
    """One MARC::Lint run: wall seconds, CPU seconds, records, warnings."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    out = subprocess.run(
        ["perl", "-e", PERL, path], check=True, capture_output=True, text=True
    ).stdout
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    records, warnings = (int(x) for x in out.split())
    return wall, cpu, records, warnings


def timed(work: Callable[[], object]) -> tuple[float, float]:
    """Wall and CPU seconds of ``work()`` in this process."""
    c0, t0 = time.process_time(), time.perf_counter()
    work()
    return time.perf_counter() - t0, time.process_time() - c0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("file", nargs="?", default=str(DEFAULT))
    parser.add_argument("--records", type=int, default=20_000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    path = Path(args.file)
    if not path.exists():
        print(f"{path} not found: run benchmarks/fetch_data.sh", file=sys.stderr)
        return 2
    if subprocess.run(["perl", "-MMARC::Lint", "-e1"], capture_output=True).returncode:
        print("MARC::Lint is not installed: apt-get install libmarc-lint-perl", file=sys.stderr)
        return 2

    with tempfile.NamedTemporaryFile(suffix=".mrc", delete=False) as tmp:
        tmp.write(first_records(path, args.records))
    try:
        return run(path, tmp.name, args.records, args.rounds)
    finally:
        os.unlink(tmp.name)


def run(path: Path, part: str, n: int, rounds: int) -> int:
    reader = marcmap.MARCReader(part, index="off")
    whole = marcmap.MARCReader(str(path), index="off")
    assert len(reader) == n, len(reader)
    rows: dict[str, Callable[[], object]] = {
        "lint all rules, 1 thread": lambda: reader.lint(rules=["all"], threads=1),
        "lint all rules, 2 threads": lambda: reader.lint(rules=["all"], threads=2),
        "lint default rules, 1 thread": lambda: reader.lint(threads=1),
        "validate(), 1 thread": lambda: reader.validate(threads=1),
        "whole file: lint all rules, 1 thread": lambda: whole.lint(rules=["all"], threads=1),
        "whole file: lint all rules, 2 threads": lambda: whole.lint(rules=["all"], threads=2),
        "whole file: validate(), 1 thread": lambda: whole.validate(threads=1),
        "whole file: validate(), 2 threads": lambda: whole.validate(threads=2),
    }
    counts = {
        "all": len(reader.lint(rules=["all"])),
        "default": len(reader.lint()),
    }
    times: dict[str, list[tuple[float, float]]] = {name: [] for name in rows}
    perl: list[tuple[float, float]] = []
    perl_counts = (0, 0)
    load = os.getloadavg()
    for r in range(rounds):
        if r < min(rounds, 2):
            wall, cpu, records, warnings = marc_lint(part)
            perl.append((wall, cpu))
            perl_counts = (records, warnings)
        for name, work in rows.items():
            times[name].append(timed(work))

    def med(samples: list[tuple[float, float]]) -> tuple[float, float]:
        return (
            statistics.median(s[0] for s in samples),
            statistics.median(s[1] for s in samples),
        )

    print(f"# lint benchmark: {path.name}, first {n:,} records; {len(whole):,} in the file")
    print(f"load average at the start: {load[0]:.1f} {load[1]:.1f} {load[2]:.1f}")
    print(
        f"MARC::Lint: {perl_counts[0]:,} records, {perl_counts[1]:,} warnings; "
        f"marcmap: {counts['all']:,} findings (all rules), {counts['default']:,} (default rules)"
    )
    print()
    print("| row | wall s | records/s (wall) | CPU s | records/s (CPU) |")
    print("|---|---:|---:|---:|---:|")
    pw, pc = med(perl)
    print(f"| MARC::Lint 1.53 | {pw:.2f} | {n / pw:,.0f} | {pc:.2f} | {n / pc:,.0f} |")
    medians = {name: med(samples) for name, samples in times.items()}
    for name, (w, c) in medians.items():
        k = len(whole) if name.startswith("whole") else n
        print(f"| {name} | {w:.3f} | {k / w:,.0f} | {c:.3f} | {k / c:,.0f} |")
    print()
    one_w, one_c = medians["lint all rules, 1 thread"]
    two_w, _ = medians["lint all rules, 2 threads"]
    val_w, val_c = medians["validate(), 1 thread"]
    whole_one, _ = medians["whole file: lint all rules, 1 thread"]
    whole_two, _ = medians["whole file: lint all rules, 2 threads"]
    def_w, def_c = medians["lint default rules, 1 thread"]
    print(
        f"- lint (all rules, 1 thread) against MARC::Lint: {pw / one_w:,.0f}x by wall time, "
        f"{pc / one_c:,.0f}x by CPU time (target >= 500x); default rules "
        f"{pw / def_w:,.0f}x / {pc / def_c:,.0f}x"
    )
    v1, _ = medians["whole file: validate(), 1 thread"]
    v2, _ = medians["whole file: validate(), 2 threads"]
    print(
        f"- 2 threads against 1: {one_w / two_w:.2f}x on {n:,} records, "
        f"{whole_one / whole_two:.2f}x on the whole file (target >= 1.8x); validate() on "
        f"the whole file, the same parallel machinery with less work a record: {v1 / v2:.2f}x"
    )
    print(
        f"- lint all rules against validate(): {one_w / val_w:.2f}x by wall time, "
        f"{one_c / val_c:.2f}x by CPU time (target <= 3x); default rules "
        f"{def_w / val_w:.2f}x / {def_c / val_c:.2f}x"
    )
    print(
        f"- whole file: {len(whole) / whole_one:,.0f} records/s on 1 thread, "
        f"{len(whole) / whole_two:,.0f} on 2"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
