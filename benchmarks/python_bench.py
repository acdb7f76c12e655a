"""Python-level benchmark: marcmap beside pymarc 5.4.0 and mrrc 0.9.2, in one run.

Usage (after ``benchmarks/fetch_data.sh``)::

    pip install . pymarc==5.4.0 mrrc==0.9.2
    python benchmarks/python_bench.py [benchmarks/data/BooksAll.2016.part01.utf8]

Every number printed comes from this one run, so ratios are side by side on the
same machine state. Timings are best of ``--repeat`` runs (pymarc, the slowest,
runs once unless ``--repeat-pymarc`` is given).
"""

from __future__ import annotations

import argparse
import gc
import hashlib
import os
import random
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import marcmap

DEFAULT = Path(__file__).parent / "data" / "BooksAll.2016.part01.utf8"


def best(fn: Callable[[], object], repeat: int) -> tuple[float, object]:
    out: object = None
    times = []
    for _ in range(repeat):
        # Every repetition starts from the same heap: the previous result is freed
        # and the cyclic GC has just run. Otherwise a 250,000-list result from the
        # previous repetition is still alive, and CPython's full collections
        # traverse it while the next one is timed.
        out = None
        gc.collect()
        t = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t)
    return min(times), out


def scan_245a_marcmap(path: str, **options: object) -> int:
    # The workload, verbatim in spirit: r["245"]["a"] for every record.
    n = 0
    for r in marcmap.MARCReader(path, **options):  # type: ignore[call-overload]
        try:  # noqa: SIM105 - cheaper than contextlib.suppress in a hot loop
            r["245"]["a"]
        except KeyError:
            pass
        n += 1
    return n


def scan_pymarc(path: str) -> int:
    import pymarc

    n = 0
    with open(path, "rb") as fh:
        for r in pymarc.MARCReader(fh):
            try:  # noqa: SIM105 - cheaper than contextlib.suppress in a hot loop
                r["245"]["a"]
            except KeyError:
                pass
            n += 1
    return n


def scan_mrrc(path: str) -> int:
    import mrrc

    n = 0
    with open(path, "rb") as fh:
        for r in mrrc.MARCReader(fh):
            try:  # noqa: SIM105 - cheaper than contextlib.suppress in a hot loop
                f = r["245"]
                if f is not None:
                    f["a"]
            except KeyError:
                pass
            n += 1
    return n


def cpu_loop(chunks: int) -> None:
    # hashlib releases the GIL for large buffers: a trivially parallel CPU loop.
    data = b"x" * (1 << 20)
    for _ in range(chunks):
        hashlib.sha256(data).digest()


def in_threads(fn: Callable[[], object], threads: int) -> float:
    return concurrently([fn] * threads)


def concurrently(fns: list[Callable[[], object]]) -> float:
    """Runs each function in its own thread; the wall time until all are done."""
    ts = [threading.Thread(target=fn) for fn in fns]
    t = time.perf_counter()
    for th in ts:
        th.start()
    for th in ts:
        th.join()
    return time.perf_counter() - t


def rss_anon_while_iterating(path: str) -> str:
    code = (
        "import marcmap,sys\n"
        "def anon():\n"
        "    for l in open('/proc/self/status'):\n"
        "        if l.startswith('RssAnon'): return int(l.split()[1])\n"
        "before=anon(); peak=before\n"
        "r=marcmap.MARCReader(sys.argv[1])\n"
        "for i,rec in enumerate(r):\n"
        "    rec['245'].get('a') if '245' in rec else None\n"
        "    if i % 5000 == 0: peak=max(peak, anon())\n"
        "peak=max(peak, anon())\n"
        "print(before, peak, r.is_mapped)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, path], capture_output=True, text=True, check=True
    ).stdout.split()
    before, peak, mapped = int(out[0]), int(out[1]), out[2]
    return f"RssAnon {before / 1024:.1f} MB before, {peak / 1024:.1f} MB peak (mapped: {mapped})"


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("file", nargs="?", default=str(DEFAULT))
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--lookups", type=int, default=1_000_000)
    ap.add_argument("--skip-others", action="store_true", help="don't run pymarc and mrrc")
    args = ap.parse_args()
    path = args.file
    if not os.path.exists(path):
        print(f"{path} is missing: run benchmarks/fetch_data.sh first", file=sys.stderr)
        return 2
    size_mb = os.path.getsize(path) / 1e6
    rows: list[tuple[str, str, str]] = []

    t_open, reader = best(lambda: marcmap.MARCReader(path), args.repeat)
    assert isinstance(reader, marcmap.MARCReader)
    n = len(reader)
    rows.append(("open + Phase 1 index", f"{t_open * 1000:.0f} ms", f"{size_mb / t_open:.0f} MB/s"))

    t_mm, _ = best(lambda: scan_245a_marcmap(path), args.repeat)
    rows.append(("marcmap: for r in reader: r['245']['a']", f"{n / t_mm:,.0f} rec/s", "1.00x"))
    # What the default's text check (pymarc's behaviour: a record whose text
    # does not decode is None) costs, against lazy decoding.
    t_lazy, _ = best(lambda: scan_245a_marcmap(path, lazy_decoding=True), args.repeat)
    rows.append(
        (
            "marcmap, same loop, lazy_decoding=True",
            f"{n / t_lazy:,.0f} rec/s",
            f"the default's text check costs {t_mm / t_lazy - 1:+.1%}",
        )
    )
    if not args.skip_others:
        t_py, n_py = best(lambda: scan_pymarc(path), 1)
        rows.append(
            (
                "pymarc 5.4.0, same loop",
                f"{n_py / t_py:,.0f} rec/s",
                f"marcmap is {t_py / t_mm * n / n_py:.1f}x",
            )
        )
        try:  # noqa: SIM105 - cheaper than contextlib.suppress in a hot loop
            t_mr, n_mr = best(lambda: scan_mrrc(path), args.repeat)
            rows.append(
                (
                    "mrrc 0.9.2, same loop",
                    f"{n_mr / t_mr:,.0f} rec/s",
                    f"marcmap is {t_mr / t_mm * n / n_mr:.1f}x",
                )
            )
        except ImportError:
            rows.append(("mrrc 0.9.2", "not installed", ""))

    rng = random.Random(42)
    idx = [rng.randrange(n) for _ in range(args.lookups)]

    def lookups() -> None:
        for i in idx:
            r = reader[i]
            if r is not None and "245" in r:
                r["245"].get("a")

    t_rand, _ = best(lookups, args.repeat)
    rows.append(("reader[i]['245']['a'] at random i", f"{len(idx) / t_rand:,.0f} lookups/s", ""))

    fresh = marcmap.MARCReader(path)
    t0 = time.perf_counter()
    with_001 = fresh.build_control_number_index()
    t_build = time.perf_counter() - t0
    cns = fresh.extract("001", first=True)
    picks = [cns[rng.randrange(n)] for _ in range(min(args.lookups, 300_000))]
    picks = [c for c in picks if c]

    def cn_lookups() -> None:
        for c in picks:
            fresh.get_by_control_number(c)

    t_cn, _ = best(cn_lookups, args.repeat)
    rows.append(
        (
            "control-number index build (all cores)",
            f"{t_build * 1000:.0f} ms",
            f"{with_001:,} records with 001",
        )
    )
    rows.append(("get_by_control_number at random", f"{len(picks) / t_cn:,.0f} lookups/s", ""))

    t1, _ = best(lambda: reader.extract("245$a", threads=1), args.repeat)
    t2, _ = best(lambda: reader.extract("245$a", threads=2), args.repeat)
    c1, _ = best(lambda: in_threads(lambda: cpu_loop(200), 1), args.repeat)
    c2, _ = best(lambda: in_threads(lambda: cpu_loop(100), 2), args.repeat)
    scale, cpu_scale = t1 / t2, c1 / c2
    rows.append(("extract('245$a'), 1 thread", f"{n / t1:,.0f} rec/s", ""))
    rows.append(("extract('245$a'), 2 threads", f"{n / t2:,.0f} rec/s", f"{scale:.2f}x speedup"))
    rows.append(
        ("trivially parallel loop (sha256), 2 vs 1 thread", "", f"{cpu_scale:.2f}x speedup")
    )
    rows.append(("extract scaling / trivial loop scaling", "", f"{scale / cpu_scale:.0%}"))

    # Two files scanned from two Python threads. Iteration builds Python objects,
    # so it holds the GIL most of the time; extract() releases it for its work.
    one_scan, _ = best(lambda: in_threads(lambda: scan_245a_marcmap(path), 1), 1)
    two_scans, _ = best(lambda: in_threads(lambda: scan_245a_marcmap(path), 2), 1)
    rows.append(
        ("two iterating threads, one file each", "", f"{2 * one_scan / two_scans:.2f}x speedup")
    )
    readers = [marcmap.MARCReader(path), marcmap.MARCReader(path)]
    jobs = [lambda r=r: r.extract("245$a", threads=1) for r in readers]
    one_ex, _ = best(lambda: concurrently(jobs[:1]), 1)
    two_ex, _ = best(lambda: concurrently(jobs), 1)
    rows.append(
        (
            "two threads each extract(threads=1), one file each",
            "",
            f"{2 * one_ex / two_ex:.2f}x speedup",
        )
    )
    rows.append(("memory while iterating every record", rss_anon_while_iterating(path), ""))

    print(f"\nfile: {path} ({size_mb:.0f} MB, {n:,} records)\n")
    print("| workload | result | ratio |")
    print("|---|---|---|")
    for a, b, c in rows:
        print(f"| {a} | {b} | {c} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
