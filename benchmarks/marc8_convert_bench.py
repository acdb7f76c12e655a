"""``marcmap convert --to-marc8`` of the whole LoC file against
``yaz-marcdump -f UTF-8 -t MARC-8 -o marc``, side by side in one run.

Usage: python benchmarks/marc8_convert_bench.py [FILE]
(default: benchmarks/data/BooksAll.2016.part01.utf8, from benchmarks/fetch_data.sh)

Both write ISO 2709 MARC-8 to standard output, sent to /dev/null, so that neither
pays for the disk; each is timed as a whole process (start-up included), best of
two. marcmap runs on all cores and on one thread. Then each output is written to a
temporary file once and read back by marcmap as MARC-8: the record counts must
match the input's.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import marcmap

DEFAULT = Path(__file__).resolve().parent / "data" / "BooksAll.2016.part01.utf8"


def timed(cmd: list[str]) -> float:
    best = float("inf")
    for _ in range(2):
        start = time.perf_counter()
        with open(os.devnull, "wb") as sink:
            subprocess.run(cmd, stdout=sink, stderr=subprocess.DEVNULL, check=True)
        best = min(best, time.perf_counter() - start)
    return best


def main() -> None:
    path = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT
    records = len(marcmap.MARCReader(str(path)))
    size = path.stat().st_size
    print(f"{path.name}: {records} records, {size / 1e6:.1f} MB; load {os.getloadavg()[0]:.2f}")
    convert = [sys.executable, "-m", "marcmap", "convert", str(path), "-", "--to", "marc"]
    yaz = ["yaz-marcdump", "-f", "UTF-8", "-t", "MARC-8", "-o", "marc", str(path)]
    results = {
        "marcmap convert --to-marc8, all cores": timed([*convert, "--to-marc8"]),
        "marcmap convert --to-marc8, 1 thread": timed([*convert, "--to-marc8", "--threads", "1"]),
        "yaz-marcdump -f UTF-8 -t MARC-8 -o marc": timed(yaz),
    }
    base = results["yaz-marcdump -f UTF-8 -t MARC-8 -o marc"]
    for name, secs in results.items():
        print(
            f"{name}: {secs:.2f} s, {records / secs:,.0f} records/s, "
            f"{size / secs / 1e6:.1f} MB/s, {base / secs:.2f}x yaz"
        )
    # Both outputs are MARC-8 files of every record.
    with tempfile.TemporaryDirectory() as tmp:
        ours = Path(tmp, "ours.mrc")
        subprocess.run([*convert[:-3], str(ours), "--to-marc8"], check=True, capture_output=True)
        theirs = Path(tmp, "yaz.mrc")
        with open(theirs, "wb") as fh:
            subprocess.run(yaz, stdout=fh, stderr=subprocess.DEVNULL, check=True)
        for name, out in (("marcmap", ours), ("yaz", theirs)):
            reader = marcmap.MARCReader(str(out), detect_utf8=False)
            blank = sum(1 for r in reader if r is not None and r.leader[9] == " ")
            print(f"{name} output: {len(reader)} records, {blank} with LDR/09 blank")


if __name__ == "__main__":
    main()
