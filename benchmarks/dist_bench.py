"""Beyond one machine: the sidecar and record-aligned partitions, measured in one run.

Usage (after ``benchmarks/fetch_data.sh``, with marcmap installed)::

    python benchmarks/dist_bench.py [benchmarks/data/BooksAll.2016.part01.utf8]
        [--trials 7] [--tmp DIR]

It copies the LoC file into a temporary directory (so that evicting it from the
page cache is not defeated by another process mapping the shared copy), writes a
1 GB file of four copies of it there, and deletes both at the end. Linux only
(``posix_fadvise``, ``mincore``, ``/proc/self/io``).

1. **The random-access service case.** A fresh process opens the LoC file and
   fetches one random record by 001, with the data file evicted from the page
   cache before each run (``POSIX_FADV_DONTNEED``, checked with ``mincore``):
   with its sidecar (``index="require"``) and without (``index="off"``, which
   scans the file and builds the 001 index). Runs of the two are interleaved.
   Reported: the process's wall time, the open-and-lookup time inside it, the
   data file's bytes read into the page cache (``mincore`` after the process
   exits: readahead included) and the process's ``read_bytes``/``rchar``.
2. **Partition computation** for 64 partitions of the 1 GB file: wall time warm
   (the file in the page cache) and cold (evicted), and the reads it makes
   (``syscr``, ``rchar`` from ``/proc/self/io``); beside it, the serial whole-file
   Phase 1 scan it replaces.
3. **Reading the 64 partitions** one after another against one reader of the
   whole file (the cost of partitioning on one core), and the check that their
   records are the whole file's.
"""

from __future__ import annotations

import argparse
import ctypes
import gc
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import marcmap

DEFAULT = Path(__file__).parent / "data" / "BooksAll.2016.part01.utf8"

CHILD = r"""
import json, sys, time
t0 = time.perf_counter()
import marcmap
t1 = time.perf_counter()

def io():
    with open("/proc/self/io") as f:
        return {k: int(v) for k, v in (line.split(": ") for line in f.read().splitlines())}

before = io()
t2 = time.perf_counter()
reader = marcmap.MARCReader(sys.argv[1], index=sys.argv[2])
record = reader.get_by_control_number(sys.argv[3])
t3 = time.perf_counter()
after = io()
assert record is not None and record["001"].data.strip() == sys.argv[3].strip()
print(json.dumps({
    "import_s": t1 - t0,
    "open_lookup_s": t3 - t2,
    "read_bytes": after["read_bytes"] - before["read_bytes"],
    "rchar": after["rchar"] - before["rchar"],
    "status": reader.index_status,
}))
"""


def proc_io() -> dict[str, int]:
    with open("/proc/self/io") as f:
        return {k: int(v) for k, v in (line.split(": ") for line in f.read().splitlines())}


def evict(path: Path) -> None:
    """Drops the file's pages from the page cache (written back first)."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
        os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
    finally:
        os.close(fd)


_libc = ctypes.CDLL(None, use_errno=True)
_libc.mmap.restype = ctypes.c_void_p
_libc.mmap.argtypes = [
    ctypes.c_void_p,
    ctypes.c_size_t,
    ctypes.c_int,
    ctypes.c_int,
    ctypes.c_int,
    ctypes.c_long,
]
_libc.mincore.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_void_p]
_libc.munmap.argtypes = [ctypes.c_void_p, ctypes.c_size_t]


def resident(path: Path) -> int:
    """Bytes of the file in the page cache (``mincore`` over a mapping of it)."""
    size = path.stat().st_size
    page = os.sysconf("SC_PAGE_SIZE")
    fd = os.open(path, os.O_RDONLY)
    try:
        addr = _libc.mmap(None, size, 1, 1, fd, 0)  # PROT_READ, MAP_SHARED
        if addr in (None, ctypes.c_void_p(-1).value):
            raise OSError(ctypes.get_errno(), "mmap failed")
        pages = (size + page - 1) // page
        vec = (ctypes.c_ubyte * pages)()
        if _libc.mincore(addr, size, vec) != 0:
            raise OSError(ctypes.get_errno(), "mincore failed")
        _libc.munmap(addr, size)
    finally:
        os.close(fd)
    return (pages - bytes(vec).count(0)) * page


def child(path: Path, index: str, cn: str) -> dict[str, object]:
    t = time.perf_counter()
    out = subprocess.run(
        [sys.executable, "-c", CHILD, str(path), index, cn],
        capture_output=True,
        text=True,
        check=True,
    )
    wall = time.perf_counter() - t
    result: dict[str, object] = json.loads(out.stdout)
    result["wall_s"] = wall
    result["data_cached"] = resident(path)
    return result


def med(rows: list[dict[str, object]], key: str) -> float:
    return statistics.median(float(r[key]) for r in rows)  # type: ignore[arg-type]


def fmt_ms(s: float) -> str:
    return f"{s * 1000:,.1f} ms"


def service_case(path: Path, trials: int) -> None:
    size = path.stat().st_size
    with marcmap.MARCReader(path, index="off") as reader:
        t = time.perf_counter()
        sidecar = Path(reader.save_index(control_numbers=True))
        save_s = time.perf_counter() - t
        rng = random.Random(2016)
        picks = [rng.randrange(len(reader)) for _ in range(trials)]
        cns = []
        for i in picks:
            record = reader[i]
            assert record is not None
            cns.append(record["001"].data)
        count = len(reader)
    # The mapping lives as long as the reader and its records: drop them, or the
    # pages they map cannot be evicted.
    del reader, record
    gc.collect()
    sc_size = sidecar.stat().st_size
    print(f"\n## 1. Reopen and fetch one record by 001 ({size / 1e6:,.1f} MB, {count:,} records)")
    print(
        f"sidecar: {sc_size:,} bytes ({sc_size / count:.1f} bytes a record, "
        f"{100 * sc_size / size:.2f}% of the data), written in {fmt_ms(save_s)}"
    )
    rows: dict[str, list[dict[str, object]]] = {"require": [], "off": []}
    for t_i in range(trials):
        for mode in ("require", "off"):
            evict(path)
            before = resident(path)
            assert before < size // 100, f"eviction left {before:,} bytes cached"
            r = child(path, mode, cns[t_i])
            expected = "used" if mode == "require" else "off"
            assert r["status"] == expected, r
            rows[mode].append(r)
    w, s = rows["require"], rows["off"]
    print("| | with sidecar | without (scan + 001 index) | ratio |")
    print("|---|---|---|---|")
    for key, label in (("wall_s", "fresh process, wall"), ("open_lookup_s", "open + lookup")):
        a, b = med(w, key), med(s, key)
        print(f"| {label} (median of {trials}) | {fmt_ms(a)} | {fmt_ms(b)} | {b / a:,.1f}x |")
    print(
        f"| interpreter + import (median) | {fmt_ms(med(w, 'import_s'))} | "
        f"{fmt_ms(med(s, 'import_s'))} | |"
    )
    for key, label in (
        ("data_cached", "data file read into the page cache"),
        ("read_bytes", "process read_bytes"),
        ("rchar", "process rchar (read syscalls)"),
    ):
        a = max(float(r[key]) for r in w)  # type: ignore[arg-type]
        b = med(s, key)
        print(
            f"| {label} (max / median) | {a / 1e3:,.0f} KB ({100 * a / size:.3f}%) | "
            f"{b / 1e6:,.1f} MB ({100 * b / size:.1f}%) | |"
        )
    sidecar.unlink()


def partition_case(big: Path, trials: int) -> None:
    size = big.stat().st_size
    print(f"\n## 2. 64 partitions of a {size / 1e9:.2f} GB file (4 copies of the LoC file)")
    warm = []
    reads = None
    # What reading /proc/self/io itself counts, taken off below.
    a, b = proc_io(), proc_io()
    own = (b["syscr"] - a["syscr"], b["rchar"] - a["rchar"])
    for _ in range(trials):
        before = proc_io()
        t = time.perf_counter()
        ranges = marcmap.partitions(big, 64)
        warm.append(time.perf_counter() - t)
        after = proc_io()
        reads = (
            after["syscr"] - before["syscr"] - own[0],
            after["rchar"] - before["rchar"] - own[1],
        )
    cold = []
    for _ in range(trials):
        evict(big)
        t = time.perf_counter()
        cold_ranges = marcmap.partitions(big, 64)
        cold.append(time.perf_counter() - t)
        assert cold_ranges == ranges
    assert reads is not None
    with marcmap.MARCReader(big, index="off") as whole:  # back into the page cache
        n = len(whole)
        offsets = [whole.offset(i) for i in range(n)]
    del whole
    gc.collect()
    t = time.perf_counter()
    with marcmap.MARCReader(big, index="off") as whole:
        scan_s = time.perf_counter() - t
    del whole
    gc.collect()
    print("| | time | reads |")
    print("|---|---|---|")
    print(
        f"| partitions(path, 64), page cache warm (median of {trials}) | "
        f"{fmt_ms(statistics.median(warm))} | {reads[0]} read calls, {reads[1] / 1e6:.2f} MB "
        f"({100 * reads[1] / size:.2f}% of the file) |"
    )
    print(
        f"| partitions(path, 64), file evicted (median of {trials}) | "
        f"{fmt_ms(statistics.median(cold))} | the same |"
    )
    print(
        f"| whole-file Phase 1 scan (MARCReader(index='off'), warm, once) | "
        f"{fmt_ms(scan_s)} | the whole file |"
    )
    print(f"ratio scan / partitions (warm): {scan_s / statistics.median(warm):,.0f}x")

    print(f"\n## 3. Reading the {len(ranges)} partitions one after another, 1 process")
    parts_t, whole_t = [], []
    for _ in range(3):
        t = time.perf_counter()
        records = 0
        for start, end in ranges:
            with marcmap.MARCReader(big, byte_range=(start, end), index="off") as part:
                records += sum(1 for r in part if r is not None)
        parts_t.append(time.perf_counter() - t)
        t = time.perf_counter()
        with marcmap.MARCReader(big, index="off") as whole:
            whole_records = sum(1 for r in whole if r is not None)
        whole_t.append(time.perf_counter() - t)
        del whole
        gc.collect()
        assert records == whole_records
    parts_s, whole_s = min(parts_t), min(whole_t)
    got: list[int] = []
    for start, end in ranges:
        with marcmap.MARCReader(big, byte_range=(start, end), index="off") as part:
            got.extend(part.offset(i) for i in range(len(part)))
    assert got == offsets, "the partitions' records are not the whole file's"
    print(
        f"open + iterate every record (best of 3): 64 partitions {parts_s:.2f} s, whole file "
        f"{whole_s:.2f} s: ratio {parts_s / whole_s:.3f} ({n:,} records, the same offsets)"
    )


def four_copies(src: Path, tmp: Path) -> Path:
    """``tmp/loc-x4.mrc``: four copies of ``src`` (the 1 GB file the benchmarks
    of partitions, Arrow memory and the engines use), streamed, not read whole."""
    big = tmp / "loc-x4.mrc"
    with open(big, "wb") as out:
        for _ in range(4):
            with open(src, "rb") as f:
                shutil.copyfileobj(f, out, 16 << 20)
    return big


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("file", nargs="?", default=str(DEFAULT))
    ap.add_argument("--trials", type=int, default=7)
    ap.add_argument("--tmp", default=None, help="where to put the copies (default: system temp)")
    args = ap.parse_args()
    src = Path(args.file)
    tmp = Path(tempfile.mkdtemp(prefix="marcmap-dist-bench-", dir=args.tmp))
    print(
        f"# Beyond one machine: marcmap {marcmap.__version__}, {os.cpu_count()} CPUs, "
        f"load {os.getloadavg()[0]:.2f}"
    )
    try:
        loc = tmp / src.name
        shutil.copyfile(src, loc)
        service_case(loc, args.trials)
        big = four_copies(loc, tmp)
        partition_case(big, args.trials)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print(f"\nload at the end {os.getloadavg()[0]:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
