"""`python -m marcmap count|dump|validate`, run as a subprocess."""

from __future__ import annotations

import subprocess
import sys

import pymarc
from conftest import corpus_path

CLEAN = "traject/test/test_support/test_data.utf8.mrc"


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "marcmap", *args], capture_output=True, text=True, timeout=60
    )


def _pymarc(path):  # type: ignore[no-untyped-def]
    with open(path, "rb") as fh:
        return list(pymarc.MARCReader(fh))


def test_count() -> None:
    path = corpus_path(CLEAN)
    out = _run("count", str(path))
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith(f"{len(_pymarc(path))} records, 0 bad records")


def test_validate_exit_codes() -> None:
    ok = _run("validate", str(corpus_path(CLEAN)))
    assert ok.returncode == 0, ok.stdout + ok.stderr
    bad = _run("validate", str(corpus_path("pymarc/bad_records.mrc")))
    assert bad.returncode == 1
    assert "RecordDirectoryInvalid" in bad.stdout or "Error" in bad.stdout
    missing = _run("validate", "/nonexistent/file.mrc")
    assert missing.returncode == 2


def test_dump_index_and_control_number() -> None:
    path = corpus_path(CLEAN)
    theirs = _pymarc(path)
    out = _run("dump", str(path), "--index", "4")
    assert out.returncode == 0, out.stderr
    assert out.stdout == str(theirs[4]) + "\n"
    out = _run("dump", str(path), "--index", "-1")
    assert out.stdout == str(theirs[-1]) + "\n"
    cn = theirs[12]["001"].data
    out = _run("dump", str(path), "--control-number", cn)
    assert out.returncode == 0
    assert out.stdout == str(theirs[12]) + "\n"
    out = _run("dump", str(path), "--control-number", "no-such-cn")
    assert out.returncode == 1


def test_dump_all_equals_pymarc_text() -> None:
    path = corpus_path(CLEAN)
    out = _run("dump", str(path))
    assert out.returncode == 0
    assert out.stdout == "".join(str(r) + "\n" for r in _pymarc(path))
