"""pymarc's ``pymarc.record``: ``Record`` (and the field types it is made of),
``map_marc8_record`` and ``normalize_subfield_code``."""

from __future__ import annotations

import unicodedata
from typing import Any

from marcmap._marcmap import Field, Record
from marcmap._types import Indicators, Leader, Subfield
from marcmap.constants import (  # noqa: F401 - pymarc.record's names
    DIRECTORY_ENTRY_LEN,
    END_OF_FIELD,
    END_OF_RECORD,
    LEADER_LEN,
    SUBFIELD_INDICATOR,
)
from marcmap.field import RawField, map_marc8_field


def map_marc8_record(record: Record[Any]) -> Record[Any]:
    """Decodes a record's MARC-8 values to text and sets LDR/09 to ``a``, as pymarc's."""
    record.fields = [map_marc8_field(field) for field in record.fields]
    leader = str(record.leader)
    record.leader = Leader(leader[:9] + "a" + leader[10:])
    return record


def normalize_subfield_code(subfield: bytes) -> tuple[str, int]:
    """pymarc's reading of a subfield whose code is not ASCII: the code's ASCII
    letter (NFKD, diacritics dropped) and how many bytes the code took."""
    skip_bytes = 1
    try:
        text = subfield.decode("utf-8")
        skip_bytes = len(text[0].encode("utf-8"))
    except UnicodeDecodeError:
        text = subfield.decode("latin-1")
    ascii_only = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return ascii_only[0], skip_bytes


__all__ = [
    "Field",
    "Indicators",
    "Leader",
    "RawField",
    "Record",
    "Subfield",
    "map_marc8_record",
    "normalize_subfield_code",
]
