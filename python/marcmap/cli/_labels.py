"""MARC 21 names for what ``marcmap stats`` counts: tags, leader positions and
values, indicator values, subfield codes. The names are data generated from
LoC's format pages (``marcmap/marc21_labels.json``, by
``tools/gen_marc21_labels.py``); this module only looks them up."""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any


@cache
def _all() -> dict[str, Any]:
    text = resources.files("marcmap").joinpath("marc21_labels.json").read_text("utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


def format_of(record_types: dict[str, int]) -> str:
    """The MARC 21 format most records are in, from their LDR/06 counts:
    ``authority`` (z), ``holdings`` (u, v, x, y) or ``bibliographic``."""
    votes = {"bibliographic": 0, "authority": 0, "holdings": 0}
    for value, n in record_types.items():
        if value == "z":
            votes["authority"] += n
        elif value in "uvxy":
            votes["holdings"] += n
        else:
            votes["bibliographic"] += n
    return max(votes, key=lambda k: votes[k])


def _lookup(codes: dict[str, str], code: str) -> str:
    """A code's name, also from a range key such as ``"1-9"``."""
    if code in codes:
        return codes[code]
    for key, name in codes.items():
        if len(key) == 3 and key[1] == "-" and len(code) == 1 and key[0] <= code <= key[2]:
            return name
    return ""


class Labels:
    """The names of one format's tags, leader values, indicators and subfields.
    An unknown one is ``""``."""

    def __init__(self, fmt: str = "bibliographic") -> None:
        self.format = fmt
        self._data: dict[str, Any] = _all()[fmt]

    def tag(self, tag: str) -> str:
        if tag == "LDR":
            return "Leader"
        name: str = self._data["tags"].get(tag, "")
        # 9XX and X9X are left to local use.
        if not name and len(tag) == 3 and tag.isdigit() and "9" in (tag[0], tag[1]):
            return "Local field"
        return name

    def leader(self, position: int) -> str:
        entry = self._data["leader"].get(f"{position:02}")
        return str(entry[0]) if entry else ""

    def leader_value(self, position: int, value: str) -> str:
        entry = self._data["leader"].get(f"{position:02}")
        return _lookup(entry[1], value) if entry else ""

    def indicator(self, tag: str, which: int) -> str:
        entry = self._data["indicators"].get(tag)
        return str(entry[which - 1][0]) if entry else ""

    def indicator_value(self, tag: str, which: int, value: str) -> str:
        entry = self._data["indicators"].get(tag)
        if not entry:
            return ""
        codes: dict[str, str] = entry[which - 1][1]
        # The source writes a blank as "#" (LoC's convention) or " ".
        return _lookup(codes, value) or (_lookup(codes, "#") if value == " " else "")

    def subfield(self, tag: str, code: str) -> str:
        return str(self._data["subfields"].get(tag, {}).get(code, ""))
