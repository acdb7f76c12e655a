"""Batch-edit benchmark: the job of issue 19's edit loop (read; delete 9XX; add an
856 in tag order; write ISO 2709) as an edit program applied while writing,
against pymarc 5.4.0's loop, all in one run.

    python benchmarks/batch_edit_bench.py [benchmarks/data/BooksAll.2016.part01.utf8]

Rows:

- pymarc 5.4.0: the loop a user writes (``remove_field`` for each 9XX field,
  ``add_ordered_field`` of the 856, ``MARCWriter``), on the first
  ``PYMARC_RECORDS`` records, written to memory;
- marcmap: ``reader.write(os.devnull, edits=["delete 9XX", "add 856 40 $u
  https://example.org/"], threads=1|2)`` on every record, best of ``ROUNDS``
  (to ``/dev/null``, as in ``formats_bench.py``, so that the editing and
  serialising are measured, not the page cache; one more run each writes a file,
  untimed, for the checks);
- marcmap with no edits, the same write: what the edits cost.

Every ratio is records a second against records a second, measured side by side
in this run, by wall time and by CPU time (the process's, all threads): on a
shared machine the CPU time says what the work costs when the wall time also
says how long it waited for a core. The output of the first ``PYMARC_RECORDS``
records is checked to be byte-identical to pymarc's, and the whole output of 2
threads to that of 1.
"""

from __future__ import annotations

import io
import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import marcmap
import pymarc

ROUNDS = 3
PYMARC_RECORDS = 20_000
DEFAULT = Path(__file__).parent / "data" / "BooksAll.2016.part01.utf8"
RULES = ["delete 9XX", "add 856 40 $u https://example.org/"]


def best(fn: Callable[[], object], rounds: int = ROUNDS) -> tuple[float, float]:
    """The least wall time and the least CPU time of `rounds` runs."""
    walls, cpus = [], []
    for _ in range(rounds):
        t, c = time.perf_counter(), time.process_time()
        fn()
        walls.append(time.perf_counter() - t)
        cpus.append(time.process_time() - c)
    return min(walls), min(cpus)


def pymarc_loop(path: Path, n: int) -> tuple[float, float, bytes]:
    """pymarc's edit loop on the first `n` records: (wall s, CPU s, output)."""
    out = io.BytesIO()
    t, c = time.perf_counter(), time.process_time()
    with open(path, "rb") as fh:
        writer = pymarc.MARCWriter(out)
        for i, record in enumerate(pymarc.MARCReader(fh)):
            if i == n:
                break
            for field in record.get_fields():
                if field.tag.startswith("9"):
                    record.remove_field(field)
            record.add_ordered_field(
                pymarc.Field(
                    tag="856",
                    indicators=pymarc.Indicators("4", "0"),
                    subfields=[pymarc.Subfield("u", "https://example.org/")],
                )
            )
            writer.write(record)
    return time.perf_counter() - t, time.process_time() - c, out.getvalue()


def main() -> None:
    path = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT
    reader = marcmap.MARCReader(str(path))
    total = len(reader)
    edits = marcmap.Edits(RULES)
    print(f"{path.name}: {total:,} records, {path.stat().st_size / 1e6:.1f} MB")

    print(f"load average at the start: {os.getloadavg()[0]:.1f}")
    py_wall, py_cpu, py_out = pymarc_loop(path, PYMARC_RECORDS)
    rows = [
        (
            f"pymarc 5.4.0 loop (first {PYMARC_RECORDS:,} records)",
            PYMARC_RECORDS / py_wall,
            PYMARC_RECORDS / py_cpu,
        )
    ]

    with tempfile.TemporaryDirectory() as tmp:
        outputs = {}
        for threads in (1, 2):
            wall, cpu = best(lambda n=threads: reader.write(os.devnull, edits=edits, threads=n))
            rows.append((f"marcmap edits, {threads} thread(s)", total / wall, total / cpu))
            target = Path(tmp) / f"edited-{threads}.mrc"
            reader.write(str(target), edits=edits, threads=threads)
            outputs[threads] = target.read_bytes()
        for threads in (1, 2):
            wall, cpu = best(lambda n=threads: reader.write(os.devnull, threads=n))
            name = f"marcmap write, no edits, {threads} thread(s)"
            rows.append((name, total / wall, total / cpu))
        result = reader.write(str(Path(tmp) / "counts.mrc"), edits=edits)

    identical = outputs[1][: len(py_out)] == py_out
    print(f"output of the first {PYMARC_RECORDS:,} records identical to pymarc's: {identical}")
    print(f"output of 2 threads identical to 1 thread's: {outputs[1] == outputs[2]}")
    for count in result.edits:
        print(f"  {count.rule}: {count.records:,} records changed")
    print()
    py_rate, py_cpu_rate = rows[0][1], rows[0][2]
    print(
        f"| {'row':<48} | {'records/s (wall)':>16} | {'× pymarc':>8} "
        f"| {'records/s (CPU)':>15} | {'× pymarc':>8} |"
    )
    print(f"|{'-' * 50}|{'-' * 17}:|{'-' * 9}:|{'-' * 16}:|{'-' * 9}:|")
    for name, rate, cpu_rate in rows:
        print(
            f"| {name:<48} | {rate:>16,.0f} | {rate / py_rate:>8.1f} "
            f"| {cpu_rate:>15,.0f} | {cpu_rate / py_cpu_rate:>8.1f} |"
        )
    one, two = rows[1][1], rows[2][1]
    print(f"\n2 threads / 1 thread (edits, wall): {two / one:.2f}×")
    print(f"load average at the end: {os.getloadavg()[0]:.1f}")
    if not identical:
        sys.exit("the output differs from pymarc's")


if __name__ == "__main__":
    main()
