"""The small value types of a record, shaped as pymarc's."""

from __future__ import annotations

from typing import NamedTuple


class Subfield(NamedTuple):
    """One subfield: its code and its value."""

    code: str
    value: str


class Indicators(NamedTuple):
    """A data field's two indicators."""

    first: str
    second: str
