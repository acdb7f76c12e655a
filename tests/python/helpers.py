"""Comparison helpers: a marcmap record against a pymarc record; the command
line run as a user runs it."""

from __future__ import annotations

import json
import subprocess
import sys
import unicodedata
from collections.abc import Callable
from pathlib import Path
from typing import Any

import marcmap
import pymarc

SCALAR_PROPERTIES = (
    "title",
    "author",
    "isbn",
    "issn",
    "publisher",
    "pubyear",
    "uniformtitle",
)
LIST_PROPERTIES = (
    "subjects",
    "notes",
    "series",
    "location",
    "physicaldescription",
    "addedentries",
)


def run_cli(*args: str, **kwargs: Any) -> subprocess.CompletedProcess[str]:
    """``python -m marcmap ARGS...``, its output captured as text."""
    return subprocess.run(
        [sys.executable, "-m", "marcmap", *args],
        capture_output=True,
        text=True,
        timeout=60,
        **kwargs,
    )


def pymarc_items(path: Path, **kwargs: Any) -> list[tuple[int, Any, BaseException | None]]:
    """pymarc's reading of `path`: (start offset, record or None, exception) per item.

    pymarc reads by the leader's length, so the start offset of each item is where
    the file handle stood before it was read.
    """
    kwargs.setdefault("permissive", True)
    kwargs.setdefault("to_unicode", True)
    out = []
    with open(path, "rb") as fh:
        reader = pymarc.MARCReader(fh, **kwargs)
        while True:
            start = fh.tell()
            try:
                record = next(reader)
            except StopIteration:
                break
            out.append((start, record, reader.current_exception))
    return out


def _attempt(fn: Callable[[], Any]) -> Any:
    """The value of fn(), or the exception type it raised (so errors compare too)."""
    try:
        return fn()
    except Exception as e:  # noqa: BLE001 - any error is a result to compare
        return ("raised", type(e).__name__)


def field_tuple(field: Any) -> tuple[Any, ...]:
    if field.is_control_field():
        return (field.tag, field.data)
    return (
        field.tag,
        tuple(field.indicators),
        tuple((s.code, s.value) for s in field.subfields),
    )


def record_view(record: Any, nfc: bool = False) -> dict[str, Any]:
    """Everything the differential compares, as plain Python values."""

    def norm(x: Any) -> Any:
        if not nfc:
            return x
        if isinstance(x, str):
            return unicodedata.normalize("NFC", x)
        if isinstance(x, (list, tuple)):
            return type(x)(norm(i) for i in x)
        if isinstance(x, dict):
            return {k: norm(v) for k, v in x.items()}
        return x

    view: dict[str, Any] = {
        "leader": str(record.leader),
        "fields": [_attempt(lambda f=f: field_tuple(f)) for f in record.fields],
        "str": _attempt(lambda: str(record)),
        "as_dict": _attempt(record.as_dict),
        "as_json": _attempt(lambda: json.loads(record.as_json())),
    }
    for name in SCALAR_PROPERTIES:
        view[name] = _attempt(lambda name=name: getattr(record, name))
    for name in LIST_PROPERTIES:
        view[name] = _attempt(lambda name=name: [str(f) for f in getattr(record, name)])
    view["leader_positions"] = tuple(
        _attempt(lambda name=name: getattr(record.leader, name)) for name in LEADER_NAMES
    )
    view["linkage"] = [
        _attempt(f.linkage_occurrence_num) for f in record.fields if not f.is_control_field()
    ]
    # Last: pymarc's as_marc() sets the record's LDR/09 to 'a' as it writes.
    view["as_marc"] = _attempt(record.as_marc)
    return {k: norm(v) for k, v in view.items()}


LEADER_NAMES = (
    "record_length",
    "record_status",
    "type_of_record",
    "bibliographic_level",
    "type_of_control",
    "coding_scheme",
    "indicator_count",
    "subfield_code_count",
    "base_address",
    "encoding_level",
    "cataloging_form",
    "multipart_ressource",
)


def differences(ours: Any, theirs: Any, nfc: bool = False) -> list[str]:
    """The names of the views that differ, with the first differing values."""
    a = record_view(ours, nfc)
    b = record_view(theirs, nfc)
    out = []
    for key in a:
        if a[key] != b[key]:
            if key == "fields":
                for i, (x, y) in enumerate(zip(a[key], b[key], strict=False)):
                    if x != y:
                        out.append(f"fields[{i}]: marcmap {x!r} != pymarc {y!r}")
                        break
                else:
                    out.append(f"fields: {len(a[key])} != {len(b[key])}")
            else:
                out.append(f"{key}: marcmap {str(a[key])[:200]!r} != pymarc {str(b[key])[:200]!r}")
    return out


def marcmap_by_offset(reader: marcmap.MARCReader) -> dict[int, int]:
    return {reader.offset(i): i for i in range(len(reader))}
