"""The pymarc edit loop on each library, in one run: pymarc 5.4.0, rmarc 5.4.0,
mrrc 0.9.2 and marcmap.

    python benchmarks/edit_bench.py [LoC file] [--records 20000]

The loop, written for pymarc and run unchanged on each library (``lib`` is the
library's module): read; delete every 9XX; ``add_ordered_field`` of an 856;
write ISO 2709 with the library's ``MARCWriter``. Each library's output is
compared with pymarc's, byte for byte.

pymarc, rmarc and mrrc come from PyPI, installed by this script into a venv of
its own (``--venv``, made on first use), not into the test environment;
marcmap is the one importable by the Python running this script (``pip install
.``, or ``PYTHONPATH=python`` with the extension built), or ``--marcmap-path``.
Each library runs in a fresh process of its interpreter; the best of
``--repeat`` runs counts.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

HERE = Path(__file__).resolve().parent
DEFAULT_FILE = HERE / "data" / "BooksAll.2016.part01.utf8"
PYPI = {"pymarc": "pymarc==5.4.0", "rmarc": "rmarc==5.4.0", "mrrc": "mrrc==0.9.2"}

# The loop, as a pymarc user writes it. `lib` is the library's module.
LOOP = textwrap.dedent(
    """
    import json, sys, time
    import {module} as lib

    path, out_path, limit, repeat = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])

    def run():
        n = 0
        with open(path, "rb") as fh, open(out_path, "wb") as out:
            writer = lib.MARCWriter(out)
            for record in lib.MARCReader(fh):
                if record is None:
                    continue
                nines = [f for f in record.get_fields() if f.tag.startswith("9")]
                if nines:
                    record.remove_field(*nines)
                record.add_ordered_field(
                    lib.Field(
                        "856",
                        indicators=["4", "0"],
                        subfields=[lib.Subfield("u", "https://example.org/")],
                    )
                )
                writer.write(record)
                n += 1
                if n == limit:
                    break
        return n

    best = float("inf")
    for _ in range(repeat):
        t = time.perf_counter()
        n = run()
        best = min(best, time.perf_counter() - t)
    print(json.dumps({{"records": n, "seconds": best}}))
    """
)


def ensure_venv(venv: Path) -> Path:
    """The venv's Python, with pymarc, rmarc and mrrc installed."""
    python = venv / "bin" / "python"
    if not python.exists():
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    missing = []
    for module, requirement in PYPI.items():
        probe = subprocess.run(
            [str(python), "-c", f"import importlib.metadata as m; print(m.version('{module}'))"],
            capture_output=True,
            text=True,
        )
        if probe.stdout.strip() != requirement.split("==")[1]:
            missing.append(requirement)
    if missing:
        subprocess.run([str(python), "-m", "pip", "install", "-q", *missing], check=True)
    return python


def run_loop(
    python: str, module: str, path: Path, out: Path, limit: int, repeat: int, env: dict[str, str]
) -> dict[str, float]:
    script = LOOP.format(module=module)
    done = subprocess.run(
        [python, "-c", script, str(path), str(out), str(limit), str(repeat)],
        capture_output=True,
        text=True,
        env=env,
    )
    if done.returncode != 0:
        raise RuntimeError(f"{module}: {done.stderr.strip().splitlines()[-1:]}")
    result: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("file", nargs="?", default=str(DEFAULT_FILE), help="an ISO 2709 file")
    ap.add_argument("--records", type=int, default=20_000, help="records to edit (default 20000)")
    ap.add_argument("--repeat", type=int, default=3, help="runs per library; the best counts")
    ap.add_argument(
        "--venv",
        default=os.path.join(tempfile.gettempdir(), "marcmap-edit-bench-venv"),
        help="where pymarc, rmarc and mrrc are installed (made on first use)",
    )
    ap.add_argument(
        "--marcmap-path",
        help="a directory to put first on PYTHONPATH for marcmap (e.g. python/ of a checkout)",
    )
    ap.add_argument("--skip-others", action="store_true", help="run marcmap only")
    args = ap.parse_args()
    path = Path(args.file)
    if not path.exists():
        print(f"{path} is missing: run benchmarks/fetch_data.sh", file=sys.stderr)
        return 2

    env = dict(os.environ)
    if args.marcmap_path:
        paths = [args.marcmap_path, env.get("PYTHONPATH", "")]
        env["PYTHONPATH"] = os.pathsep.join(p for p in paths if p)
    results: dict[str, dict[str, float]] = {}
    outputs: dict[str, Path] = {}
    with tempfile.TemporaryDirectory() as tmp:
        others = [] if args.skip_others else ["pymarc", "rmarc", "mrrc"]
        venv_python = str(ensure_venv(Path(args.venv))) if others else ""
        for module in [*others, "marcmap"]:
            python = sys.executable if module == "marcmap" else venv_python
            out = Path(tmp) / f"{module}.mrc"
            try:
                results[module] = run_loop(
                    python, module, path, out, args.records, args.repeat, env
                )
                outputs[module] = out
            except RuntimeError as e:
                print(f"{module} failed: {e}", file=sys.stderr)
        reference = digest(outputs["pymarc"]) if "pymarc" in outputs else None
        print(f"Edit loop on the first {args.records:,} records of {path.name}")
        print(f"(best of {args.repeat}; read, delete 9XX, add_ordered_field 856, write)\n")
        print("| library | records/s | × pymarc | × rmarc | output |")
        print("|---|---:|---:|---:|---|")
        rate = {m: r["records"] / r["seconds"] for m, r in results.items()}
        for module in results:
            if reference is None:
                same = "-"
            elif module == "pymarc":
                same = "reference"
            else:
                same = (
                    "byte-identical to pymarc's"
                    if digest(outputs[module]) == reference
                    else "differs from pymarc's"
                )
            vs_pymarc = f"{rate[module] / rate['pymarc']:.1f}×" if "pymarc" in rate else "-"
            vs_rmarc = f"{rate[module] / rate['rmarc']:.1f}×" if "rmarc" in rate else "-"
            print(f"| {module} | {rate[module]:,.0f} | {vs_pymarc} | {vs_rmarc} | {same} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
