"""The small value types of a record, shaped as pymarc's."""

from __future__ import annotations

import unicodedata
from typing import NamedTuple


class Subfield(NamedTuple):
    """One subfield: its code and its value."""

    code: str
    value: str


class Indicators(NamedTuple):
    """A data field's two indicators."""

    first: str
    second: str


def normalize_subfield_code(raw: bytes) -> tuple[str, int]:
    """pymarc's reading of a subfield whose code byte is not ASCII.

    The code is the first character (UTF-8 if the bytes are, else Latin-1) with its
    diacritics removed; the value starts after that character's bytes.
    """
    skip = 1
    try:
        text = raw.decode("utf-8")
        skip = len(text[0].encode("utf-8"))
    except UnicodeDecodeError:
        text = raw.decode("latin-1")
    stripped = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return (stripped[:1], skip)
