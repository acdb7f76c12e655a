"""Inputs the Python fuzz harness (``fuzz/python/fuzz_reader.py``) once failed on.

Every file under ``tests/fuzz_regressions/python/`` is replayed through the
harness's own ``test_one_input`` (the whole API, four reader modes), so each
finding stays fixed; ``tests/fuzz_regressions/README.md`` says what each found.
"""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

import marcmap
import pytest
from records import build

REPO = Path(__file__).resolve().parents[2]
INPUTS = sorted((REPO / "tests" / "fuzz_regressions" / "python").glob("*"))


def _harness(monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    # Import the harness as a plain module: without atheris instrumentation.
    monkeypatch.setattr(sys, "argv", [sys.argv[0], "--no-atheris"])
    spec = importlib.util.spec_from_file_location(
        "fuzz_reader", REPO / "fuzz" / "python" / "fuzz_reader.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("path", INPUTS, ids=[p.name for p in INPUTS])
def test_replay(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _harness(monkeypatch).test_one_input(path.read_bytes())


def test_as_json_with_bytes_values() -> None:
    # to_unicode=False gives bytes values; as_json used to raise TypeError on them.
    raw = REPO / "tests" / "fuzz_regressions" / "python" / "as_json-to_unicode-false.mrc"
    raw = raw.read_bytes()
    record = marcmap.MARCReader(raw, to_unicode=False)[0]
    assert record is not None
    assert isinstance(record["245"]["a"], bytes)
    out = json.loads(record.as_json())
    assert out["fields"][0]["245"]["subfields"][0] == {"a": "A title"}
    # A caller's own default still wins.
    assert "X" in record.as_json(default=lambda _: "X")


def test_title_and_isbn_with_bytes_values() -> None:
    # to_unicode=False: title joined str and bytes, isbn ran a str regex on bytes (TypeError).
    raw = build([("020", b"  \x1fa0-19-852663-6 (pbk.)"), ("245", b"10\x1faMain\x1fbsub")])
    record = marcmap.MARCReader(raw, to_unicode=False)[0]
    assert record is not None
    assert record.title == b"Main sub"
    assert record.isbn == "0198526636"
    text = marcmap.MARCReader(raw)[0]
    assert text is not None and (text.title, text.isbn) == ("Main sub", "0198526636")


def test_huge_int_index_is_index_error() -> None:
    # reader[2**63] raised TypeError ("indices must be integers"); a list says IndexError.
    reader = marcmap.MARCReader(build([("001", b"1")]))
    for i in (2**63, -(2**63) - 1, 10**30):
        with pytest.raises(IndexError):
            reader[i]
    with pytest.raises(TypeError):
        reader["0"]  # type: ignore[call-overload]


def test_contains_matches_a_normalised_code() -> None:
    # A non-ASCII code byte (0xE8) reads as "e", as pymarc normalises it, and
    # field["e"] found it, but `"e" in field` compared raw bytes only: False.
    raw = build([("245", b"10\x1faX\x1f\xe8Y")])
    for to_unicode in (True, False):
        field = marcmap.MARCReader(raw, to_unicode=to_unicode)[0]["245"]
        assert [s.code for s in field.subfields] == ["a", "e"]
        assert "e" in field and field.get("e") is not None
        assert "a" in field and "b" not in field
