"""Formats benchmark: writing and reading MARCXML, JSON and ISO 2709, with
``yaz-marcdump`` (Debian package ``yaz``) and pymarc 5.4.0 as anchors, all in one run.

    python benchmarks/formats_bench.py [benchmarks/data/BooksAll.2016.part01.utf8]

Rows (outputs go to /dev/null, so that serialisation is measured, not the disk;
yaz writes to /dev/null too), but for one pair written to a file:

- MARCXML write: ``reader.write(..., "marcxml", threads=1|2)`` against
  ``yaz-marcdump -o marcxml FILE`` and pymarc's ``XMLWriter``; and to a file in a
  temporary directory, against ``yaz-marcdump -o marcxml FILE > file``;
- MARCXML read, of the file yaz writes: ``MARCReader(xml, threads=1|2)`` (the
  records transcoded to ISO 2709 and indexed) against ``yaz-marcdump -i marcxml
  -o marc`` and pymarc's ``parse_xml_to_array``;
- JSON and ISO 2709 write, 1 and 2 threads, against pymarc's ``JSONWriter`` and
  ``MARCWriter``;
- memory while reading the MARCXML: the peak RssAnon of a process that opens it,
  against the size of the ISO 2709 file plus 64 MB.

pymarc is timed on the first ``PYMARC_RECORDS`` records (it reads 5-8k records a
second) and given in records a second; every ratio is records a second against
records a second, measured side by side in this run. Each marcmap and yaz row is
the best of ``ROUNDS`` runs.
"""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import marcmap
import pymarc

ROUNDS = 3
PYMARC_RECORDS = 5_000
DEFAULT = Path(__file__).parent / "data" / "BooksAll.2016.part01.utf8"


def best(fn: Callable[[], object], rounds: int = ROUNDS) -> float:
    times = []
    for _ in range(rounds):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def yaz(*args: str) -> float:
    def run() -> None:
        with open(os.devnull, "wb") as out:
            subprocess.run(["yaz-marcdump", *args], stdout=out, check=True)

    return best(run)


def pymarc_rate(make: Callable[[io.BytesIO | io.StringIO], object], records: list[object]) -> float:
    t = time.perf_counter()
    make(records)  # type: ignore[arg-type]
    return len(records) / (time.perf_counter() - t)


def peak_rss_anon(script: str) -> int:
    """The peak RssAnon (bytes) of a Python process running ``script``, polled."""
    proc = subprocess.Popen([sys.executable, "-c", script])
    peak = 0
    status = Path(f"/proc/{proc.pid}/status")
    while proc.poll() is None:
        try:
            for line in status.read_text().splitlines():
                if line.startswith("RssAnon:"):
                    peak = max(peak, int(line.split()[1]) * 1024)
        except OSError:
            break
        time.sleep(0.005)
    return peak


def _spin(seconds: float) -> None:
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        pass


def cores_available(seconds: float = 1.0) -> float:
    """How many cores two spinning processes get now (2.0 on an idle 2-core
    machine): the 2-thread rows mean something only when this is near 2."""
    import multiprocessing

    before = os.times()
    procs = [multiprocessing.Process(target=_spin, args=(seconds,)) for _ in range(2)]
    t = time.perf_counter()
    for p in procs:
        p.start()
    for p in procs:
        p.join()
    wall = time.perf_counter() - t
    after = os.times()
    cpu = (after.children_user - before.children_user) + (
        after.children_system - before.children_system
    )
    return cpu / wall


def main() -> None:
    path = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT
    if shutil.which("yaz-marcdump") is None:
        sys.exit("yaz-marcdump is missing: apt-get install -y yaz")
    size = path.stat().st_size
    reader = marcmap.MARCReader(path)
    n = len(reader)
    print(
        f"{path.name}: {n:,} records, {size / 1e6:.1f} MB; load {os.getloadavg()[0]:.2f}; "
        f"two spinning processes get {cores_available():.2f} cores"
    )
    with open(path, "rb") as fh:
        sample = []
        for record in pymarc.MARCReader(fh, to_unicode=True):
            sample.append(record)
            if len(sample) == PYMARC_RECORDS:
                break
    rows: list[tuple[str, str, str]] = []

    def rate(seconds: float, records: int = n) -> float:
        return records / seconds

    with tempfile.TemporaryDirectory() as tmp:
        xml = Path(tmp) / "loc.xml"
        with open(xml, "wb") as out:
            subprocess.run(["yaz-marcdump", "-o", "marcxml", str(path)], stdout=out, check=True)
        sample_xml = Path(tmp) / "sample.xml"
        reader.write(sample_xml, "marcxml", records=list(range(PYMARC_RECORDS)))

        # MARCXML write.
        w1 = best(lambda: reader.write(os.devnull, "marcxml", threads=1))
        w2 = best(lambda: reader.write(os.devnull, "marcxml", threads=2))
        wy = yaz("-o", "marcxml", str(path))

        def pymarc_xml(records: list[object]) -> None:
            out = io.BytesIO()
            writer = pymarc.XMLWriter(out)
            for r in records:
                writer.write(r)  # type: ignore[arg-type]
            writer.close(close_fh=False)

        wp = pymarc_rate(pymarc_xml, sample)  # type: ignore[arg-type]
        rows += [
            (
                "MARCXML write, 1 thread",
                f"{rate(w1):,.0f}/s",
                f"{wy / w1:.1f}x yaz, {rate(w1) / wp:.0f}x pymarc",
            ),
            (
                "MARCXML write, 2 threads",
                f"{rate(w2):,.0f}/s",
                f"{w1 / w2:.2f}x 1 thread, {wy / w2:.1f}x yaz",
            ),
            ("  yaz-marcdump -o marcxml", f"{rate(wy):,.0f}/s", ""),
            ("  pymarc XMLWriter", f"{wp:,.0f}/s", ""),
        ]

        # MARCXML write to a file on disk, as users write: both pay the page
        # cache; marcmap also its temporary file and rename into place.
        on_disk = Path(tmp) / "out.xml"
        f1 = best(lambda: reader.write(on_disk, "marcxml", threads=1))
        f2 = best(lambda: reader.write(on_disk, "marcxml", threads=2))

        def yaz_to_file() -> None:
            with open(Path(tmp) / "yaz-out.xml", "wb") as out:
                subprocess.run(["yaz-marcdump", "-o", "marcxml", str(path)], stdout=out, check=True)

        fy = best(yaz_to_file)
        rows += [
            ("MARCXML write to a file, 1 thread", f"{rate(f1):,.0f}/s", f"{fy / f1:.1f}x yaz"),
            (
                "MARCXML write to a file, 2 threads",
                f"{rate(f2):,.0f}/s",
                f"{f1 / f2:.2f}x 1 thread, {fy / f2:.1f}x yaz",
            ),
            ("  yaz-marcdump -o marcxml > file", f"{rate(fy):,.0f}/s", ""),
        ]
        on_disk.unlink()

        # MARCXML read (yaz's output).
        r1 = best(lambda: marcmap.MARCReader(xml, format="marcxml", threads=1))
        r2 = best(lambda: marcmap.MARCReader(xml, format="marcxml", threads=2))
        ry = yaz("-i", "marcxml", "-o", "marc", str(xml))
        t = time.perf_counter()
        parsed = pymarc.parse_xml_to_array(str(sample_xml))
        rp = len(parsed) / (time.perf_counter() - t)
        rows += [
            (
                "MARCXML read, 1 thread",
                f"{rate(r1):,.0f}/s",
                f"{ry / r1:.1f}x yaz, {rate(r1) / rp:.0f}x pymarc",
            ),
            (
                "MARCXML read, 2 threads",
                f"{rate(r2):,.0f}/s",
                f"{r1 / r2:.2f}x 1 thread, {ry / r2:.1f}x yaz",
            ),
            ("  yaz-marcdump -i marcxml -o marc", f"{rate(ry):,.0f}/s", ""),
            ("  pymarc parse_xml_to_array", f"{rp:,.0f}/s", ""),
        ]

        # JSON and ISO 2709 write.
        for fmt, writer_class in (("json", pymarc.JSONWriter), ("marc", pymarc.MARCWriter)):
            t1 = best(lambda fmt=fmt: reader.write(os.devnull, fmt, threads=1))  # type: ignore[misc]
            t2 = best(lambda fmt=fmt: reader.write(os.devnull, fmt, threads=2))  # type: ignore[misc]

            def pymarc_write(records: list[object], cls: type = writer_class) -> None:
                out: io.BytesIO | io.StringIO = (
                    io.StringIO() if cls is pymarc.JSONWriter else io.BytesIO()
                )
                writer = cls(out)
                for r in records:
                    writer.write(r)
                writer.close(close_fh=False)

            tp = pymarc_rate(pymarc_write, sample)  # type: ignore[arg-type]
            name = "JSON" if fmt == "json" else "ISO 2709"
            rows += [
                (
                    f"{name} write, 1 thread",
                    f"{rate(t1):,.0f}/s",
                    f"{rate(t1) / tp:.0f}x pymarc ({tp:,.0f}/s)",
                ),
                (f"{name} write, 2 threads", f"{rate(t2):,.0f}/s", f"{t1 / t2:.2f}x 1 thread"),
            ]

        # Memory while reading MARCXML.
        base = peak_rss_anon("import marcmap")
        peak = peak_rss_anon(f"import marcmap; r = marcmap.MARCReader({str(xml)!r}); len(r)")
        used = peak - base
        rows.append(
            (
                "memory reading the MARCXML (peak RssAnon)",
                f"{used / 2**20:,.0f} MiB",
                f"ISO 2709 {size / 2**20:,.0f} MiB + {(used - size) / 2**20:+,.0f} MiB "
                "(target: at most + 64 MiB)",
            )
        )

    width = max(len(r[0]) for r in rows)
    for name, speed, ratio in rows:
        print(f"{name:<{width}}  {speed:>12}  {ratio}")
    print(
        f"load after: {os.getloadavg()[0]:.2f}; "
        f"two spinning processes get {cores_available():.2f} cores"
    )


if __name__ == "__main__":
    main()
