"""Shared fixtures for marcmap's Python tests.

The corpus tests read the shared MARC corpus: ``$MARCMAP_CORPUS``, or
``<repo>/../shared/marc-corpus``. Without it they are skipped, each with one line
saying so, except under CI (``CI=true``), which has the corpus and must run them:
there a missing corpus fails. A corpus file that has a copy in ``tests/data``
(permissively licensed fixtures, listed in ``fixture_twins.json``) is read from
there, so those tests always run.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[2]
CORPUS = Path(
    os.environ.get("MARCMAP_CORPUS") or (REPO / ".." / "shared" / "marc-corpus")
).resolve()
DATA = REPO / "tests" / "data"


def _ci() -> bool:
    return os.environ.get("CI", "").lower() in ("true", "1")


def _missing(what: str) -> None:
    """Skips the test (fails it under CI) because the corpus lacks `what`."""
    message = (
        f"needs the MARC corpus ({what} is not at {CORPUS}; set MARCMAP_CORPUS to point at one)"
    )
    if _ci():
        pytest.fail("CI=true: " + message)
    pytest.skip(message)


# Each fixture in tests/data and the corpus files it is a byte-for-byte copy of.
TWINS: dict[str, list[str]] = json.loads((REPO / "tests/python/fixture_twins.json").read_text())
FIXTURE_OF = {corpus: fixture for fixture, copies in TWINS.items() for corpus in copies}


def corpus_path(relative: str) -> Path:
    """A corpus file, or its copy in tests/data when the corpus is absent; the
    test is skipped when neither is there (failed under CI)."""
    path = CORPUS / relative
    if path.exists():
        return path
    if relative in FIXTURE_OF:
        return DATA / FIXTURE_OF[relative]
    _missing(relative)
    return path


def corpus_available() -> bool:
    return CORPUS.is_dir()


def require_corpus() -> Path:
    if not CORPUS.is_dir():
        _missing("the corpus directory")
    return CORPUS


def looks_like_iso2709(path: Path) -> bool:
    """ISO 2709 by content: a five-digit record length, and record/field terminators."""
    with open(path, "rb") as f:
        data = f.read()
    return len(data) >= 24 and data[:5].isdigit() and b"\x1d" in data and b"\x1e" in data


def iso2709_files() -> list[Path]:
    """Every ISO 2709 file in the corpus, sorted, found by content (not by extension)."""
    if not CORPUS.is_dir():
        return []
    out = []
    for path in sorted(CORPUS.rglob("*")):
        if path.is_file() and not path.name.startswith("UPSTREAM") and looks_like_iso2709(path):
            out.append(path)
    return out


def rel(path: Path) -> str:
    return path.relative_to(CORPUS).as_posix()


@pytest.fixture(scope="session")
def corpus() -> Path:
    return require_corpus()


@pytest.fixture
def pymarc_dir(corpus: Path) -> Path:
    return corpus / "pymarc"


def engines_required() -> bool:
    """Whether this run must test the Dask and Spark readers: under CI, in the
    venv that scripts/test.sh installs the engines into (MARCMAP_ENGINES=1)."""
    return _ci() and os.environ.get("MARCMAP_ENGINES") == "1"


def require_engine(module: str, extra: str) -> Any:
    """Imports `module` for an engine's tests, or skips them saying why (fails
    them when this run must test the engines)."""
    import importlib

    try:
        return importlib.import_module(module)
    except ImportError as e:
        message = f"needs {module} (pip install 'marcmap[{extra}]'): {e}"
        if engines_required():
            pytest.fail("CI=true, MARCMAP_ENGINES=1: " + message)
        # Dask and Spark are optional extras (pyspark alone is ~300 MB):
        # scripts/test.sh installs them into the CPython 3.11 venv only, so the
        # 3.13 run, and a user's venv without them, skip these modules, saying
        # which extra to install. Where they must run (that 3.11 venv under CI),
        # the line above fails instead.
        pytest.skip(message, allow_module_level=True)
