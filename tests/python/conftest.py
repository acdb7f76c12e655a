"""Shared fixtures for marcmap's Python tests.

The tests read the shared MARC corpus at ``<repo>/../shared/marc-corpus``. When it is
absent the corpus tests fail, unless ``MARCMAP_NO_CORPUS=1`` is set, in which case
they are skipped (and say so).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
CORPUS = (REPO / ".." / "shared" / "marc-corpus").resolve()
DATA = REPO / "tests" / "data"


def corpus_path(relative: str) -> Path:
    """A corpus file; fails (or skips with MARCMAP_NO_CORPUS=1) when it is missing."""
    path = CORPUS / relative
    if not path.exists():
        if os.environ.get("MARCMAP_NO_CORPUS") == "1":
            pytest.skip(f"corpus file {relative} absent and MARCMAP_NO_CORPUS=1")
        pytest.fail(
            f"corpus file {path} is missing: the tests need ../shared/marc-corpus next to "
            "the repository (set MARCMAP_NO_CORPUS=1 to skip corpus tests)"
        )
    return path


def corpus_available() -> bool:
    return CORPUS.is_dir()


def require_corpus() -> Path:
    if not CORPUS.is_dir():
        if os.environ.get("MARCMAP_NO_CORPUS") == "1":
            pytest.skip("corpus absent and MARCMAP_NO_CORPUS=1")
        pytest.fail(f"the MARC corpus is missing at {CORPUS} (set MARCMAP_NO_CORPUS=1 to skip)")
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
