"""What the command-line benchmarks against DNB's ``marc21`` CLI share: finding
(or installing) ``marc21``, timing a process, and compiling marcmap's Python
sources once, as ``pip install`` does, before marcmap runs as a process."""

from __future__ import annotations

import os
import resource
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

CACHE = Path(__file__).parent / "data" / "marc21-cli"


def find_marc21() -> str:
    """The ``marc21`` binary (``$MARC21``, on ``PATH``, or in CACHE), installed
    into CACHE with cargo when missing."""
    for candidate in (os.environ.get("MARC21"), shutil.which("marc21"), CACHE / "bin" / "marc21"):
        if candidate and Path(candidate).is_file():
            return str(candidate)
    print(f"installing marc21-cli 0.7.0 into {CACHE} (cargo install)...", file=sys.stderr)
    subprocess.run(
        ["cargo", "install", "marc21-cli", "--version", "0.7.0", "--locked", "--root", str(CACHE)],
        check=True,
    )
    return str(CACHE / "bin" / "marc21")


def process(argv: list[str], env: dict[str, str] | None = None) -> tuple[float, float]:
    """Runs `argv` (output to /dev/null); its wall and CPU (user + system) time."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = time.perf_counter()
    with open(os.devnull, "wb") as out:
        subprocess.run(argv, stdout=out, stderr=subprocess.DEVNULL, check=True, env=env)
    wall = time.perf_counter() - t
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def compile_marcmap(env: dict[str, str] | None = None) -> None:
    """Compiles the marcmap package that ``sys.executable`` imports to bytecode,
    as ``pip install`` does. From a source tree on ``PYTHONPATH`` (or with
    ``PYTHONDONTWRITEBYTECODE`` set) every ``python -m marcmap`` would otherwise
    compile the package's sources again, which is not the work being timed."""
    code = (
        "import compileall, os, marcmap; "
        "compileall.compile_dir(os.path.dirname(marcmap.__file__), quiet=1)"
    )
    subprocess.run([sys.executable, "-c", code], check=True, env=env)


def interleaved(
    rows: dict[str, Callable[[], tuple[float, float]]], rounds: int
) -> tuple[dict[str, float], dict[str, float]]:
    """Each row's median wall and CPU time over `rounds` rounds, after one
    warm-up run each (the page cache, the binaries). The rows are interleaved
    in each round, so that a change in the machine's load hits them all alike."""
    times: dict[str, list[tuple[float, float]]] = {name: [] for name in rows}
    for fn in rows.values():
        fn()
    for _ in range(rounds):
        for name, fn in rows.items():
            times[name].append(fn())
    wall = {k: statistics.median(w for w, _ in v) for k, v in times.items()}
    cpu = {k: statistics.median(c for _, c in v) for k, v in times.items()}
    return wall, cpu
