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
in this run. The output of the first ``PYMARC_RECORDS`` records is checked to be
byte-identical to pymarc's, and the whole output of 2 threads to that of 1.
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


def best(fn: Callable[[], object], rounds: int = ROUNDS) -> float:
    times = []
    for _ in range(rounds):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def pymarc_loop(path: Path, n: int) -> tuple[float, bytes]:
    """pymarc's edit loop on the first `n` records: (seconds, output)."""
    out = io.BytesIO()
    t = time.perf_counter()
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
    return time.perf_counter() - t, out.getvalue()


def main() -> None:
    path = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT
    reader = marcmap.MARCReader(str(path))
    total = len(reader)
    edits = marcmap.Edits(RULES)
    print(f"{path.name}: {total:,} records, {path.stat().st_size / 1e6:.1f} MB")

    py_seconds, py_out = pymarc_loop(path, PYMARC_RECORDS)
    py_rate = PYMARC_RECORDS / py_seconds
    rows = [(f"pymarc 5.4.0 loop (first {PYMARC_RECORDS:,} records)", py_rate)]

    with tempfile.TemporaryDirectory() as tmp:
        outputs = {}
        for threads in (1, 2):
            seconds = best(lambda n=threads: reader.write(os.devnull, edits=edits, threads=n))
            rows.append((f"marcmap edits, {threads} thread(s)", total / seconds))
            target = Path(tmp) / f"edited-{threads}.mrc"
            reader.write(str(target), edits=edits, threads=threads)
            outputs[threads] = target.read_bytes()
        for threads in (1, 2):
            seconds = best(lambda n=threads: reader.write(os.devnull, threads=n))
            rows.append((f"marcmap write, no edits, {threads} thread(s)", total / seconds))
        result = reader.write(str(Path(tmp) / "counts.mrc"), edits=edits)

    identical = outputs[1][: len(py_out)] == py_out
    print(f"output of the first {PYMARC_RECORDS:,} records identical to pymarc's: {identical}")
    print(f"output of 2 threads identical to 1 thread's: {outputs[1] == outputs[2]}")
    for count in result.edits:
        print(f"  {count.rule}: {count.records:,} records changed")
    print()
    print(f"| {'row':<48} | {'records/s':>12} | {'× pymarc':>9} |")
    print(f"|{'-' * 50}|{'-' * 14}:|{'-' * 10}:|")
    for name, rate in rows:
        print(f"| {name:<48} | {rate:>12,.0f} | {rate / py_rate:>9.1f} |")
    one, two = rows[1][1], rows[2][1]
    print(f"\n2 threads / 1 thread (edits): {two / one:.2f}×")
    if not identical:
        sys.exit("the output differs from pymarc's")


if __name__ == "__main__":
    main()
