"""pymarc's ``pymarc.field``: ``Field``, ``Subfield``, ``Indicators``,
``RawField`` and ``map_marc8_field``."""

from __future__ import annotations

from typing import Any

from marcmap._marcmap import Field
from marcmap._types import Indicators, Subfield
from marcmap.constants import END_OF_FIELD, SUBFIELD_INDICATOR  # noqa: F401 - pymarc.field's names
from marcmap.marc8 import marc8_to_unicode

# pymarc's field of bytes (records read with to_unicode=False): marcmap's
# Field holds either.
RawField = Field


def map_marc8_field(f: Field[Any]) -> Field[Any]:
    """Decodes a field's MARC-8 values (``bytes``) to text, in place, as pymarc's."""
    if f.control_field:
        data = f.data
        f.data = marc8_to_unicode(data) if data is not None else None
    else:
        f.subfields = [Subfield(s.code, marc8_to_unicode(s.value)) for s in f.subfields]
    return f


__all__ = ["Field", "Indicators", "RawField", "Subfield", "map_marc8_field"]
