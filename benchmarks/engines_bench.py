"""Dask and Spark: marcmap's engine readers against single-process ``to_arrow``,
on 1 and 2 cores, in one run.

Usage (after ``benchmarks/fetch_data.sh``, with ``marcmap[test-engines]``
installed and Java 17+ for Spark)::

    python benchmarks/engines_bench.py [benchmarks/data/BooksAll.2016.part01.utf8]
        [--rounds 3] [--trials 5] [--blocksize "64 MiB"] [--tmp DIR] [--skip-dist]

It copies the LoC file into a temporary directory, writes a 1 GB file of four
copies of it there, and deletes both at the end. On each file:

1. **The reference**: one process, ``MARCReader(path).to_arrow(SHAPE,
   threads=1)`` streamed batch by batch (rows counted).
2. **Dask**, ``marcmap.dask.read_marc(path, SHAPE, blocksize=...)`` and a
   per-partition row count (``map_partitions(len).sum()``), on a
   ``distributed.LocalCluster`` of 1 and of 2 worker processes (one thread
   each). Both clusters are up for the whole run and the rounds interleave the
   reference, 1 worker and 2 workers, so load from other processes lands on all
   three alike. Every partition is read and turned into a pandas frame on a
   worker; only the counts travel.
3. **Spark** ``local[1]`` and ``local[2]``: the ``"marc"`` data source and an
   aggregate that reads every row (``count(*)``, ``sum(size(fields))``). One
   JVM holds one master, so each runs in its own child process (session start-up
   not timed), one after the other.

Each row is the best of ``--rounds`` (after one warm-up). Beside the 2-worker
rows the script measures how many cores two spinning processes get just before
and after them (``formats_bench.cores_available``): the scaling ratios mean
something only when that is near 2.

Then, unless ``--skip-dist``, ``dist_bench``'s partition computation (64
partitions of the 1 GB file, warm and evicted, with its read counts) and sidecar
reopen (the service case) on the same copies, with ``--trials`` runs each.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import marcmap
import pyarrow as pa

sys.path.insert(0, str(Path(__file__).parent))
import dist_bench  # noqa: E402  (a sibling script)
from formats_bench import cores_available  # noqa: E402

DEFAULT = Path(__file__).parent / "data" / "BooksAll.2016.part01.utf8"
SHAPE = "records"

SPARK_CHILD = r"""
import json, os, sys, time
os.environ["PYSPARK_PYTHON"] = sys.executable
from pyspark.sql import SparkSession, functions as F
import marcmap.spark
master, blocksize, rounds, paths = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4:]
spark = (SparkSession.builder.master(master)
         .config("spark.ui.enabled", "false")
         .config("spark.ui.showConsoleProgress", "false")
         .config("spark.driver.memory", "2g")
         .getOrCreate())
spark.sparkContext.setLogLevel("ERROR")
marcmap.spark.register(spark)
out = {}
for path in paths:
    times, rows = [], None
    for i in range(rounds + 1):
        # A new DataFrame each round: collecting the same one again reuses its
        # shuffle output and reads nothing.
        t = time.perf_counter()
        df = (spark.read.format("marc").option("shape", "records")
              .option("blocksize", blocksize).load(path))
        query = df.agg(F.count("*").alias("n"), F.sum(F.size("fields")).alias("fields"))
        row = query.collect()[0]
        if i:
            times.append(time.perf_counter() - t)
        rows = row["n"]
    out[path] = {"best_s": min(times), "rows": rows, "partitions": df.rdd.getNumPartitions()}
spark.stop()
print("RESULT " + json.dumps(out))
"""


def reference(path: Path) -> int:
    """Single-process ``to_arrow`` on one thread: the rows, batch by batch."""
    with marcmap.MARCReader(path, index="off") as reader:
        stream = pa.RecordBatchReader.from_stream(reader.to_arrow(SHAPE, threads=1))
        return sum(batch.num_rows for batch in stream)


def dask_rows(client: Any, path: Path, blocksize: str) -> int:
    import marcmap.dask

    df = marcmap.dask.read_marc(path, SHAPE, blocksize=blocksize)
    return int(client.compute(df.map_partitions(len).sum(), sync=True))


def best(fn: Callable[[], int], rounds: int) -> tuple[float, int]:
    fn()  # warm-up
    times, rows = [], 0
    for _ in range(rounds):
        t = time.perf_counter()
        rows = fn()
        times.append(time.perf_counter() - t)
    return min(times), rows


def dask_and_reference(
    files: list[Path], rounds: int, blocksize: str
) -> dict[Path, dict[str, float]]:
    from distributed import Client, LocalCluster

    results: dict[Path, dict[str, float]] = {}
    clusters = [
        LocalCluster(n_workers=k, processes=True, threads_per_worker=1, dashboard_address=":0")
        for k in (1, 2)
    ]
    clients = [Client(c, set_as_default=False) for c in clusters]
    try:
        for path in files:
            size = path.stat().st_size
            print(
                f"\n### {path.name}: {size / 1e6:,.1f} MB, shape={SHAPE!r}, blocksize {blocksize}"
            )
            times: dict[str, list[float]] = {"ref": [], "dask1": [], "dask2": []}
            rows: dict[str, int] = {}
            fns: dict[str, Callable[[], int]] = {
                "ref": lambda path=path: reference(path),
                "dask1": lambda path=path: dask_rows(clients[0], path, blocksize),
                "dask2": lambda path=path: dask_rows(clients[1], path, blocksize),
            }
            for fn in fns.values():
                fn()  # warm-up: the page cache, the workers' imports
            cores_before = cores_available()
            for _ in range(rounds):
                for name, fn in fns.items():
                    t = time.perf_counter()
                    rows[name] = fn()
                    times[name].append(time.perf_counter() - t)
            cores_after = cores_available()
            assert rows["ref"] == rows["dask1"] == rows["dask2"], rows
            b = {name: min(ts) for name, ts in times.items()}
            n = rows["ref"]
            print(
                f"two spinning processes got {cores_before:.2f} cores before, "
                f"{cores_after:.2f} after"
            )
            print("| row | best of rounds | records/s | ratio |")
            print("|---|---:|---:|---|")
            print(
                f"| to_arrow, 1 process, 1 thread | {b['ref']:.2f} s | {n / b['ref']:,.0f} "
                "| reference |"
            )
            print(
                f"| Dask, 1 worker | {b['dask1']:.2f} s | {n / b['dask1']:,.0f} | "
                f"overhead {100 * (b['dask1'] / b['ref'] - 1):+.1f}% (target <= 25%) |"
            )
            print(
                f"| Dask, 2 workers | {b['dask2']:.2f} s | {n / b['dask2']:,.0f} | "
                f"{b['dask1'] / b['dask2']:.2f}x 1 worker (target >= 1.7x) |"
            )
            results[path] = {
                **b,
                "rows": n,
                "size": size,
                "cores_before": cores_before,
                "cores_after": cores_after,
            }
    finally:
        for c in clients:
            c.close()
        for c in clusters:
            c.close()
    return results


def spark(files: list[Path], rounds: int, blocksize: str) -> dict[str, dict[str, Any]]:
    """``local[1]`` then ``local[2]``, each in a child process; the cores two
    spinning processes get just before and after ``local[2]``."""
    out: dict[str, dict[str, Any]] = {}
    for master in ("local[1]", "local[2]"):
        before = cores_available() if master == "local[2]" else None
        proc = subprocess.run(
            [sys.executable, "-c", SPARK_CHILD, master, blocksize, str(rounds), *map(str, files)],
            capture_output=True,
            text=True,
        )
        after = cores_available() if master == "local[2]" else None
        lines = [line for line in proc.stdout.splitlines() if line.startswith("RESULT ")]
        if proc.returncode != 0 or not lines:
            sys.exit(f"Spark {master} failed:\n{proc.stderr[-4000:]}")
        out[master] = json.loads(lines[0].removeprefix("RESULT "))
        out[master]["cores"] = (before, after)
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("file", nargs="?", default=str(DEFAULT))
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--trials", type=int, default=5)
    ap.add_argument("--blocksize", default="64 MiB")
    ap.add_argument("--tmp", default=None)
    ap.add_argument("--skip-dist", action="store_true")
    args = ap.parse_args()
    src = Path(args.file)
    tmp = Path(tempfile.mkdtemp(prefix="marcmap-engines-bench-", dir=args.tmp))
    print(
        f"# Engines: marcmap {marcmap.__version__}, {os.cpu_count()} CPUs, "
        f"load {os.getloadavg()[0]:.2f}"
    )
    try:
        loc = tmp / src.name
        shutil.copyfile(src, loc)
        big = dist_bench.four_copies(loc, tmp)
        files = [loc, big]

        print("\n## Dask against single-process to_arrow")
        dask_results = dask_and_reference(files, args.rounds, args.blocksize)

        print("\n## Spark local[1] against local[2]")
        sp = spark(files, args.rounds, args.blocksize)
        b, a = sp["local[2]"]["cores"]
        print(f"two spinning processes got {b:.2f} cores before local[2], {a:.2f} after")
        print(
            "| file | local[1] | local[2] | ratio (target >= 1.6x) | records/s on 2 "
            "| vs to_arrow 1 thread |"
        )
        print("|---|---:|---:|---|---:|---|")
        for path in files:
            one, two = sp["local[1]"][str(path)], sp["local[2]"][str(path)]
            d = dask_results[path]
            assert one["rows"] == two["rows"] == d["rows"], (one, two, d["rows"])
            print(
                f"| {path.name} ({one['partitions']} partitions) | {one['best_s']:.2f} s | "
                f"{two['best_s']:.2f} s | {one['best_s'] / two['best_s']:.2f}x | "
                f"{d['rows'] / two['best_s']:,.0f} | local[1] at {d['ref'] / one['best_s']:.2f}x "
                f"the reference's speed |"
            )

        print("\n## Per core (for the 100 GB estimate)")
        for path in files:
            d = dask_results[path]
            print(
                f"{path.name}: to_arrow {d['size'] / d['ref'] / 1e6:,.0f} MB/s "
                f"({d['rows'] / d['ref']:,.0f} records/s); Dask 1 worker "
                f"{d['size'] / d['dask1'] / 1e6:,.0f} MB/s; Dask 2 workers "
                f"{d['size'] / d['dask2'] / 1e6:,.0f} MB/s in all; Spark local[1] "
                f"{d['size'] / sp['local[1]'][str(path)]['best_s'] / 1e6:,.0f} MB/s"
            )

        if not args.skip_dist:
            print("\n## Partitions and the sidecar (dist_bench.py's code, same copies)")
            dist_bench.service_case(loc, args.trials)
            dist_bench.partition_case(big, args.trials)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print(f"\nload at the end {os.getloadavg()[0]:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
