"""pymarc scripts, run unchanged on marcmap: every ISO 2709 file of the corpus is
read by a plain pymarc 5.4 loop once with pymarc and once with marcmap in its
place (``import marcmap as pymarc``), and the outputs are compared.

A loop written for pymarc must run to the end on marcmap, on every file, and meet
no exception that pymarc did not meet. Where the outputs differ, the file's
differences are the ones the differential test (``test_differential.py``) names,
with their reasons; every other file gives exactly pymarc's output, ``as_marc()``
bytes included.
"""

from __future__ import annotations

import contextlib
import functools
import io
import warnings
from pathlib import Path
from types import ModuleType, SimpleNamespace
from typing import Any

import marcmap
import pymarc
import pytest
from conftest import DATA, iso2709_files, looks_like_iso2709, rel
from test_differential import DOCUMENTED, FRAMING, TWINS, _documented


def _loop(pm: ModuleType | SimpleNamespace, path: Path) -> list[Any]:
    """The plain pymarc loop of the issue: iterate, check for None, read the
    001, title, author, isbn, pubyear, subjects, str() of the 245 and 650s, and
    as_marc(). An exception ends the loop, as it would end a script."""
    out: list[Any] = []
    with open(path, "rb") as fh:
        reader = pm.MARCReader(fh)
        try:
            for record in reader:
                if record is None:
                    out.append(("none",))
                    continue
                cn = record["001"].data if "001" in record else None
                out.append(
                    (
                        [str(f) for f in record.fields],
                        cn,
                        record.title,
                        record.author,
                        record.isbn,
                        record.pubyear,
                        [str(f) for f in record.subjects],
                        [str(f) for f in record.get_fields("245", "650")],
                        record.as_marc(),
                    )
                )
        except Exception as e:  # noqa: BLE001 - the point is where a script would stop
            out.append(("raised", type(e).__name__, str(e)[:200]))
    return out


def _run(pm: ModuleType | SimpleNamespace, path: Path) -> list[Any]:
    with contextlib.redirect_stdout(io.StringIO()), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return _loop(pm, path)


def _check(path: Path, documented: dict[str, str]) -> None:
    theirs = _run(pymarc, path)
    ours = _run(marcmap, path)
    # pymarc itself runs to the end on every corpus file; so must marcmap.
    assert not [t for t in theirs if t[0] == "raised"], "pymarc raised: name the file"
    raised = [o for o in ours if o[0] == "raised"]
    assert not raised, f"a pymarc loop raised on marcmap: {raised}"
    if documented:
        # The file's differences are named by the differential test; the records
        # they do not touch (the same fields, as text) give the same output.
        if FRAMING not in documented and len(ours) == len(theirs):
            for i, (o, t) in enumerate(zip(ours, theirs, strict=True)):
                if o[0] == t[0]:
                    assert o == t, f"item {i}: marcmap {o!r:.300} != pymarc {t!r:.300}"
        return
    if ours != theirs and any(_ligature_fields(path)):
        # The one difference of marcmap's defaults that the differential test
        # (which reads with marc8_ligatures="pymarc") does not name: MARC-8's
        # ligature and double-tilde halves map as LC says (U+0361/U+0360, second
        # half dropped), where pymarc gives U+FE20-U+FE23. With pymarc's mapping
        # the outputs are the same.
        ours = _run(_PYMARC_LIGATURES, path)
    assert ours == theirs, (
        next(
            (f"item {i}: marcmap {o!r:.300} != pymarc {t!r:.300}")
            for i, (o, t) in enumerate(zip(ours, theirs, strict=False))
            if o != t
        )
        if len(ours) == len(theirs)
        else f"{len(ours)} items != {len(theirs)}"
    )


_PYMARC_LIGATURES = SimpleNamespace(
    MARCReader=functools.partial(marcmap.MARCReader, marc8_ligatures="pymarc")
)


def _ligature_fields(path: Path) -> list[str]:
    """The fields of `path` whose text holds an LC ligature or double tilde."""
    reader = marcmap.MARCReader(str(path))
    found = []
    for record in reader:
        if record is not None:
            found += [str(f) for f in record.fields if "\u0361" in str(f) or "\u0360" in str(f)]
    return found


FILES = iso2709_files()


@pytest.mark.parametrize("path", FILES, ids=[rel(p) for p in FILES])
def test_pymarc_loop_runs_unchanged(path: Path) -> None:
    _check(path, DOCUMENTED.get(rel(path), {}))


FIXTURES = sorted(name for name in TWINS if looks_like_iso2709(DATA / name))


@pytest.mark.parametrize("name", FIXTURES)
def test_pymarc_loop_runs_unchanged_on_fixtures(name: str) -> None:
    _check(DATA / name, _documented(name))
