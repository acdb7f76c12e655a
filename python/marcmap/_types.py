"""The small value types of a record, shaped as pymarc's."""

from __future__ import annotations

from typing import NamedTuple, SupportsIndex, overload


class Subfield(NamedTuple):
    """One subfield: its code and its value (``bytes`` with ``to_unicode=False``)."""

    code: str
    value: str | bytes


class Indicators(NamedTuple):
    """A data field's two indicators."""

    first: str
    second: str


class Leader(str):
    """The 24-character record leader: a ``str`` (it slices and compares as one)
    with pymarc's ``Leader`` names for its positions.

    It is read-only, as the record it belongs to; ``to_pymarc()`` gives a record
    to edit. As pymarc's, it is indexed by position, slice or name:
    ``leader[9]``, ``leader[0:5]``, ``leader["coding_scheme"]``.
    """

    __slots__ = ()

    @overload
    def __getitem__(self, item: SupportsIndex | slice) -> str: ...
    @overload
    def __getitem__(self, item: str) -> str: ...
    def __getitem__(self, item: SupportsIndex | slice | str) -> str:
        if isinstance(item, str):
            value: str = getattr(self, item)
            return value
        return str.__getitem__(self, item)

    @property
    def leader(self) -> str:
        """The leader as a plain ``str`` (pymarc's ``Leader.leader``)."""
        return str(self)

    @property
    def record_length(self) -> str:
        """00-04: the record length."""
        return self[0:5]

    @property
    def record_status(self) -> str:
        """05: record status."""
        return self[5]

    @property
    def type_of_record(self) -> str:
        """06: type of record (``a`` language material, ``z`` authority, ...)."""
        return self[6]

    @property
    def bibliographic_level(self) -> str:
        """07: bibliographic level."""
        return self[7]

    @property
    def type_of_control(self) -> str:
        """08: type of control."""
        return self[8]

    @property
    def coding_scheme(self) -> str:
        """09: character coding scheme (``a`` UTF-8, blank MARC-8)."""
        return self[9]

    @property
    def indicator_count(self) -> str:
        """10: indicator count."""
        return self[10]

    @property
    def subfield_code_count(self) -> str:
        """11: subfield code count."""
        return self[11]

    @property
    def base_address(self) -> str:
        """12-16: base address of data."""
        return self[12:17]

    @property
    def encoding_level(self) -> str:
        """17: encoding level."""
        return self[17]

    @property
    def cataloging_form(self) -> str:
        """18: descriptive cataloguing form."""
        return self[18]

    @property
    def multipart_resource(self) -> str:
        """19: multipart resource record level."""
        return self[19]

    @property
    def multipart_ressource(self) -> str:
        """19, under pymarc's spelling."""
        return self[19]

    @property
    def length_of_field_length(self) -> str:
        """20: length of the length-of-field portion."""
        return self[20]

    @property
    def starting_character_position_length(self) -> str:
        """21: length of the starting-character-position portion."""
        return self[21]

    @property
    def implementation_defined_length(self) -> str:
        """22: length of the implementation-defined portion."""
        return self[22]


class EditCount(NamedTuple):
    """What one edit rule changed: the records it changed, and the things it
    changed in them (fields deleted, added, moved, copied or renamed, subfields
    deleted or set, indicators or positions set)."""

    rule: str
    records: int
    changes: int


class WriteResult(NamedTuple):
    """What ``MARCReader.write()`` did.

    ``errors`` holds a ``MarcError`` for each record left out (malformed, or with
    text that does not decode), with its record index and byte offset;
    ``replaced`` holds ``(record index, count)`` for records in which characters
    the format cannot hold (C0 controls in MARCXML) were written as U+FFFD;
    ``reframed`` lists the records re-serialised because their directory had to
    be repaired; ``edits``, with ``write(edits=...)``, holds an ``EditCount`` a
    rule, in rule order.
    """

    written: int
    errors: list[Exception]
    replaced: list[tuple[int, int]]
    reframed: list[int]
    edits: list[EditCount] = []
