"""The small value types of a record, shaped as pymarc's."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, NamedTuple, SupportsIndex, overload


class Subfield(NamedTuple):
    """One subfield: its code and its value (``bytes`` with ``to_unicode=False``)."""

    code: str
    value: str | bytes


class Indicators(NamedTuple):
    """A data field's two indicators."""

    first: str
    second: str


_LEADER_LEN = 24

# pymarc's names for the leader's positions: (start, end).
_POSITIONS: dict[str, tuple[int, int]] = {
    "record_length": (0, 5),
    "record_status": (5, 6),
    "type_of_record": (6, 7),
    "bibliographic_level": (7, 8),
    "type_of_control": (8, 9),
    "coding_scheme": (9, 10),
    "indicator_count": (10, 11),
    "subfield_code_count": (11, 12),
    "base_address": (12, 17),
    "encoding_level": (17, 18),
    "cataloging_form": (18, 19),
    "multipart_resource": (19, 20),
    "multipart_ressource": (19, 20),
    "length_of_field_length": (20, 21),
    "starting_character_position_length": (21, 22),
    "implementation_defined_length": (22, 23),
}


class _Position:
    """One of pymarc's names for leader positions: read and set as a ``str``."""

    def __init__(self, start: int, end: int) -> None:
        self.start, self.end = start, end
        self.__doc__ = f"{start:02}-{end - 1:02}" if end - start > 1 else f"{start:02}"

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    @overload
    def __get__(self, leader: None, owner: type) -> _Position: ...
    @overload
    def __get__(self, leader: Leader, owner: type) -> str: ...
    def __get__(self, leader: Leader | None, owner: type) -> _Position | str:
        if leader is None:
            return self
        return leader._leader[self.start : self.end]

    def __set__(self, leader: Leader, value: str) -> None:
        if len(value) != self.end - self.start:
            from marcmap.errors import BadLeaderValue

            raise BadLeaderValue(
                f"{self.name} is {self.end - self.start} character(s) at {self.start}, "
                f"not {value!r}"
            )
        leader._replace_values(self.start, value)


class Leader:
    """The 24-character record leader, as pymarc's ``Leader``: indexed by
    position, slice or name (``leader[9]``, ``leader[0:5]``,
    ``leader["coding_scheme"]``), with pymarc's names as properties, and
    mutable (``leader[5] = "c"``, ``leader.record_status = "c"``).

    A record's leader (``record.leader``) is bound to its record: its changes
    are the record's. It compares equal to the ``str`` of its characters,
    and ``str(leader)`` gives them.
    """

    __slots__ = ("_leader", "_owner")

    def __init__(self, leader: str) -> None:
        leader = str(leader)
        if len(leader) != _LEADER_LEN:
            from marcmap.errors import RecordLeaderInvalid

            raise RecordLeaderInvalid(f"a leader is 24 characters, not {len(leader)}: {leader!r}")
        self._leader = leader
        self._owner: Any = None

    @property
    def leader(self) -> str:
        """The leader as a plain ``str`` (pymarc's ``Leader.leader``)."""
        return self._leader

    @leader.setter
    def leader(self, value: str) -> None:
        value = str(value)
        if self._owner is not None:
            self._owner.leader = value
        self._leader = value

    @overload
    def __getitem__(self, item: SupportsIndex | slice) -> str: ...
    @overload
    def __getitem__(self, item: str) -> str: ...
    def __getitem__(self, item: SupportsIndex | slice | str) -> str:
        if isinstance(item, str):
            value: str = getattr(self, item)
            return value
        return self._leader[item]

    def __setitem__(self, item: int | slice | str, value: str) -> None:
        if isinstance(item, str):
            setattr(self, item, value)
        elif isinstance(item, slice):
            self._replace_values(item.start or 0, value)
        else:
            self._replace_values(item, value)

    def _replace_values(self, position: int, value: str) -> None:
        if position < 0:
            raise IndexError("Position must be positive")
        after = position + len(value)
        if after > _LEADER_LEN:
            from marcmap.errors import BadLeaderValue

            raise BadLeaderValue(f"{value} is too long to be inserted at {position}")
        self.leader = self._leader[:position] + value + self._leader[after:]

    def __str__(self) -> str:
        return self._leader

    def __repr__(self) -> str:
        return f"Leader({self._leader!r})"

    def __len__(self) -> int:
        return len(self._leader)

    def __iter__(self) -> Iterator[str]:
        return iter(self._leader)

    def __contains__(self, item: str) -> bool:
        return item in self._leader

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Leader):
            return self._leader == other._leader
        if isinstance(other, str):
            return self._leader == other
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def __add__(self, other: str) -> str:
        return self._leader + str(other)

    def __radd__(self, other: str) -> str:
        return str(other) + self._leader

    def __getattr__(self, name: str) -> Any:
        # str's methods (``startswith``, ``encode``, ...), as when it was a str.
        if name.startswith("_"):
            raise AttributeError(name)
        return getattr(self._leader, name)

    record_length = _Position(*_POSITIONS["record_length"])
    record_status = _Position(*_POSITIONS["record_status"])
    type_of_record = _Position(*_POSITIONS["type_of_record"])
    bibliographic_level = _Position(*_POSITIONS["bibliographic_level"])
    type_of_control = _Position(*_POSITIONS["type_of_control"])
    coding_scheme = _Position(*_POSITIONS["coding_scheme"])
    indicator_count = _Position(*_POSITIONS["indicator_count"])
    subfield_code_count = _Position(*_POSITIONS["subfield_code_count"])
    base_address = _Position(*_POSITIONS["base_address"])
    encoding_level = _Position(*_POSITIONS["encoding_level"])
    cataloging_form = _Position(*_POSITIONS["cataloging_form"])
    multipart_resource = _Position(*_POSITIONS["multipart_resource"])
    multipart_ressource = _Position(*_POSITIONS["multipart_ressource"])
    length_of_field_length = _Position(*_POSITIONS["length_of_field_length"])
    starting_character_position_length = _Position(
        *_POSITIONS["starting_character_position_length"]
    )
    implementation_defined_length = _Position(*_POSITIONS["implementation_defined_length"])


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
    rule, in rule order; ``references`` holds ``(record index, count)`` for
    records in which, written with ``to_marc8=True``, characters MARC-8 lacks
    were written as ``&#xHHHH;``; ``matched``, with ``write(where=...)``, is
    how many records met the expression (``None`` without one).
    """

    written: int
    errors: list[Exception]
    replaced: list[tuple[int, int]]
    reframed: list[int]
    edits: list[EditCount] = []
    references: list[tuple[int, int]] = []
    matched: int | None = None
