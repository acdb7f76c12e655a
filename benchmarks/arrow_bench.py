"""Columnar benchmark: ``to_arrow`` and ``to_parquet`` on the LoC file, against
marctable 0.5 and a plain pymarc + pyarrow loop, all in one run.

    pip install marctable   # into the venv that runs this, not the test extra
    python benchmarks/arrow_bench.py [benchmarks/data/BooksAll.2016.part01.utf8]

Rows:

- wide: ``to_arrow("columns", {"id": "001", "title": "245$a", "subjects":
  "650$a"})`` consumed batch by batch through ``pyarrow.RecordBatchReader``, on 1
  and 2 threads (records a second);
- nested (``"records"``) and long (``"subfields"``) on 1 and 2 threads (MB of
  input a second);
- Parquet of the whole file, nested and long, zstd, 2 threads (``to_parquet``),
  with the file's size;
- the DuckDB query of the README (the 20 most common 650$a) over the wide stream;
- marctable's ``to_parquet`` with the rules ``001 245a 650a``, and a pymarc 5.4
  loop building the same three columns into a ``pyarrow.Table``, both on the first
  ``PYMARC_RECORDS`` records (they read a few thousand records a second), in
  records a second; every ratio is records a second against records a second,
  measured in this run;
- peak memory beyond the mapping, on a file of 4 copies of the LoC file (about
  1 GB, written to a temporary directory and deleted after): a child process
  opens it and consumes the nested stream batch by batch (2 threads), or writes
  it to Parquet; its RssAnon (resident memory that is not file-backed: the
  interpreter, the index, the batches in flight, but not the mapped file's
  pages, which count as RssFile) is polled every 5 ms and the peak reported,
  with the RssAnon of the same process before it reads a record.

Each marcmap row is the best of 3 runs (``formats_bench.best``). The machine is shared: the load
and the cores two spinning processes get (formats_bench.py's helper) are printed
first; the 2-thread rows mean something only when that is near 2.
"""

from __future__ import annotations

import io
import os
import sys
import tempfile
import time
from pathlib import Path

import duckdb
import marcmap
import pyarrow as pa
import pymarc

sys.path.insert(0, str(Path(__file__).parent))
from dist_bench import four_copies  # noqa: E402
from formats_bench import best, cores_available, peak_rss_anon  # noqa: E402

PYMARC_RECORDS = 5_000
DEFAULT = Path(__file__).parent / "data" / "BooksAll.2016.part01.utf8"
WIDE = {"id": "001", "title": "245$a", "subjects": "650$a"}


def consume(stream: object) -> int:
    rows = 0
    for batch in pa.RecordBatchReader.from_stream(stream):
        rows += batch.num_rows
    return rows


def pymarc_loop(path: Path) -> pa.Table:
    ids, titles, subjects = [], [], []
    with open(path, "rb") as fh:
        for record in pymarc.MARCReader(fh, to_unicode=True):
            if record is None:
                continue
            ids.append([f.data for f in record.get_fields("001")])
            titles.append([v for f in record.get_fields("245") for v in f.get_subfields("a")])
            subjects.append([v for f in record.get_fields("650") for v in f.get_subfields("a")])
    return pa.table({"id": ids, "title": titles, "subjects": subjects})


def marctable_rate(path: Path, records: int) -> float | None:
    try:
        from marctable.utils import to_parquet
    except ImportError:
        return None
    out = io.BytesIO()
    t = time.perf_counter()
    with open(path, "rb") as fh:
        to_parquet(fh, out, rules=["001", "245a", "650a"])
    return records / (time.perf_counter() - t)


# Run in a child by peak_rss_anon (python -c): PATH, MODE, OUT and BASE are
# prepended. It writes its RssAnon after opening the reader to BASE, then reads.
MEMORY_SCRIPT = """
import pyarrow as pa
import marcmap
reader = marcmap.MARCReader(PATH)
for line in open("/proc/self/status"):
    if line.startswith("RssAnon:"):
        open(BASE, "w").write(str(int(line.split()[1]) * 1024))
if MODE == "stream":
    for batch in pa.RecordBatchReader.from_stream(reader.to_arrow(threads=2)):
        pass
else:
    reader.to_parquet(OUT, MODE, threads=2)
"""


def peak_memory(path: Path, mode: str, out: Path) -> tuple[int, int]:
    """(RssAnon after opening the reader, peak RssAnon) of a child reading `path`."""
    base = out.with_suffix(".base")
    script = f"PATH, MODE, OUT, BASE = {str(path)!r}, {mode!r}, {str(out)!r}, {str(base)!r}\n"
    peak = peak_rss_anon(script + MEMORY_SCRIPT)
    opened = int(base.read_text())
    base.unlink()
    return opened, peak


def main() -> None:
    path = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT
    size = path.stat().st_size
    reader = marcmap.MARCReader(path)
    n = len(reader)
    print(
        f"{path.name}: {n:,} records, {size / 1e6:.1f} MB; load {os.getloadavg()[0]:.2f}; "
        f"two spinning processes get {cores_available():.2f} cores"
    )
    rows: list[tuple[str, str, str]] = []

    w1 = best(lambda: consume(reader.to_arrow("columns", WIDE, threads=1)))
    w2 = best(lambda: consume(reader.to_arrow("columns", WIDE, threads=2)))
    cores_w = cores_available(0.5)
    rows.append(("wide, 3 columns, 1 thread", f"{n / w1 / 1e6:.2f} M records/s", f"{w1:.2f} s"))
    rows.append(
        (
            "wide, 3 columns, 2 threads",
            f"{n / w2 / 1e6:.2f} M records/s",
            f"{w1 / w2:.2f}x 1 thread ({cores_w:.2f} cores free just after)",
        )
    )
    for shape, label in [("records", "nested"), ("subfields", "long")]:
        t1 = best(lambda s=shape: consume(reader.to_arrow(s, threads=1)))  # type: ignore[misc]
        t2 = best(lambda s=shape: consume(reader.to_arrow(s, threads=2)))  # type: ignore[misc]
        rows.append((f"{label}, 1 thread", f"{size / t1 / 1e6:.0f} MB/s", f"{t1:.2f} s"))
        rows.append(
            (f"{label}, 2 threads", f"{size / t2 / 1e6:.0f} MB/s", f"{t1 / t2:.2f}x 1 thread")
        )
    x = reader.to_arrow("columns", {"subject": "650$a"})  # noqa: F841 (DuckDB finds it by name)
    t = time.perf_counter()
    top = duckdb.sql(
        "select subject, count(*) as n from (select unnest(subject) as subject from x) "
        "group by subject order by n desc limit 20"
    ).fetchall()
    tq = time.perf_counter() - t
    rows.append(
        ("DuckDB: 20 most common 650$a", f"{tq:.2f} s", f"top: {top[0][0]!r} ({top[0][1]:,})")
    )

    with tempfile.TemporaryDirectory() as tmp:
        for shape, label in [("records", "nested"), ("subfields", "long")]:
            out = Path(tmp) / f"{shape}.parquet"
            tp = best(lambda s=shape, o=out: reader.to_parquet(o, s, threads=2), 1)  # type: ignore[misc]
            rows.append(
                (
                    f"Parquet, {label}, zstd, 2 threads",
                    f"{size / tp / 1e6:.0f} MB/s",
                    f"{tp:.2f} s, {out.stat().st_size / 1e6:.0f} MB",
                )
            )
        sample = Path(tmp) / "sample.mrc"
        reader.write(sample, "marc", records=list(range(PYMARC_RECORDS)))
        t = time.perf_counter()
        table = pymarc_loop(sample)
        loop_rate = table.num_rows / (time.perf_counter() - t)
        mt_rate = marctable_rate(sample, PYMARC_RECORDS)
        wide_rate = n / w1
        rows.append(
            (
                "pymarc + pyarrow loop, 3 columns",
                f"{loop_rate:,.0f} records/s",
                f"wide 1 thread is {wide_rate / loop_rate:.0f}x",
            )
        )
        if mt_rate is None:
            rows.append(("marctable", "not installed", "pip install marctable"))
        else:
            rows.append(
                (
                    "marctable 0.5 to_parquet, 3 columns",
                    f"{mt_rate:,.0f} records/s",
                    f"wide 1 thread is {wide_rate / mt_rate:.0f}x",
                )
            )

        big = four_copies(path, Path(tmp))
        big_size = big.stat().st_size
        for mode, label in [("stream", "nested stream"), ("records", "Parquet nested")]:
            base, peak = peak_memory(big, mode, Path(tmp) / "big.parquet")
            rows.append(
                (
                    f"peak RssAnon, {label}, {big_size / 1e9:.2f} GB file",
                    f"{peak / 2**20:.0f} MB",
                    f"{(peak - base) / 2**20:.0f} MB above the opened reader's "
                    f"{base / 2**20:.0f} MB",
                )
            )
        big.unlink()

    width = max(len(r[0]) for r in rows)
    print(f"\n| {'row':<{width}} | result | notes |\n|{'-' * (width + 2)}|---|---|")
    for label, value, note in rows:
        print(f"| {label:<{width}} | {value} | {note} |")


if __name__ == "__main__":
    main()
