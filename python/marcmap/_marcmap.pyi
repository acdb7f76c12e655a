"""Type stubs for the Rust extension ``marcmap._marcmap``.

Records, fields and readers are generic in the type of their values: ``str``
(``to_unicode=True``, the default) or ``bytes`` (``to_unicode=False``).
"""

import os
from collections.abc import Callable, Iterable, Iterator, Mapping, MutableSequence, Sequence
from typing import (
    IO,
    Any,
    Generic,
    Literal,
    SupportsIndex,
    TypeAlias,
    TypedDict,
    TypeVar,
    final,
    overload,
)

from pymarc import Record as _PymarcRecord

from marcmap._selection import Selection
from marcmap._types import Indicators, Leader, Subfield, WriteResult
from marcmap.errors import MarcError, RepairWarning

__version__: str
__all__ = [
    "MARCReader",
    "ArrowStream",
    "Profile",
    "ProfileTable",
    "LintFinding",
    "LintTable",
    "lint_rules",
    "Expr",
    "Record",
    "Spec",
    "Field",
    "FieldList",
    "SubfieldList",
    "RawBytes",
    "marc8_to_unicode",
    "unicode_to_marc8",
    "partitions",
    "OwnedRecord",
    "Edits",
    "MARCWriter",
    "XMLWriter",
    "JSONWriter",
    "TextWriter",
    "record_to_xml",
    "__version__",
    "_record_from_state",
    "_field_from_state",
]

_V = TypeVar("_V", str, bytes)
_SpecArg: TypeAlias = "str | Spec"
_ExprArg: TypeAlias = "str | Expr | Spec"
_D = TypeVar("_D")
_Source: TypeAlias = str | os.PathLike[str] | bytes | bytearray | memoryview | IO[bytes]
_Handling: TypeAlias = Literal["strict", "replace", "ignore"]
_Format: TypeAlias = Literal["marc", "marcxml", "json", "jsonl", "mrk"]
_AnyRecord: TypeAlias = "Record[Any] | OwnedRecord | _PymarcRecord"
_Target: TypeAlias = str | os.PathLike[str] | IO[bytes]

def marc8_to_unicode(
    data: bytes,
    *,
    errors: _Handling = "strict",
    normalization: Literal["NFC", "NFD"] = "NFC",
    ligatures: Literal["lc", "pymarc"] = "lc",
) -> str:
    """Decodes MARC-8 bytes on their own (a field or subfield value).

    ``errors``: a bad byte raises ``Marc8DecodeError`` (``"strict"``), becomes
    U+FFFD (``"replace"``) or is dropped (``"ignore"``). ``normalization``: NFC
    (pymarc's) or NFD (LC's converters'). ``ligatures``: the LC mapping (U+0361,
    U+0360) or pymarc's (U+FE20-U+FE23).
    """

def unicode_to_marc8(text: str) -> bytes:
    """Encodes text as MARC-8 on its own (a field or subfield value): decomposed,
    each combining mark before its letter, escape sequences to Greek, Cyrillic,
    Hebrew, Arabic, CJK (EACC) and sub/superscripts and back to ASCII and ANSEL at
    the end, and LC's lossless ``&#xHHHH;`` for characters MARC-8 lacks (also for
    an ``&`` that would read back as one). ``marc8_to_unicode`` reads it back.
    """

def partitions(
    source: _Source, n: int | None = None, *, target_size: int | None = None
) -> list[tuple[int, int]]:
    """``(start, end)`` byte ranges covering the file (a path, an fsspec URL or
    bytes), each starting at a record: ``n`` of them at most, or one per
    ``target_size`` bytes (128 MiB by default). Only a window of about 110 KB
    around each cut is read. Open each with ``MARCReader(source, byte_range=r)``.
    """

def _record_from_state(
    bytes: bytes, index: int, offset: int, state: tuple[Any, ...]
) -> Record[Any]: ...
def _field_from_state(
    bytes: bytes, index: int, offset: int, field: int, state: tuple[Any, ...]
) -> Field[Any]: ...

@final
class Edits:
    """A list of edit rules, parsed and checked once (see the docs' "Editing"
    page): ``delete 9XX``, ``add 856 40 $u https://example.org/``, ``set
    245$a s/re/rep/``, ``set 245 ind2 4``, ``set LDR/05 c``, ``move 100 700``,
    ... with ``where`` conditions. A rule that does not parse raises
    ``EditRuleError`` (a ``ValueError``) with its ``rule_index`` and ``column``.
    """

    def __new__(cls, rules: Iterable[str]) -> Edits: ...
    @property
    def rules(self) -> list[str]:
        """The rules, as given."""
    def __len__(self) -> int: ...

@final
class RawBytes:
    """A byte range of the file, exported read-only through the buffer protocol."""

    def __len__(self) -> int: ...

_Indicators: TypeAlias = "Indicators | Sequence[str] | None"
_Subfields: TypeAlias = "Iterable[Subfield | tuple[str, str | bytes]] | None"

@final
class Field(Generic[_V]):
    """A field of a record, as pymarc's: a view of the file's bytes (values
    decoded when read) while its record is unchanged, the record's own field
    after; ``Field(...)`` makes a new one. Every change is its record's."""

    def __new__(
        cls,
        tag: str | int,
        indicators: _Indicators = None,
        subfields: _Subfields = None,
        data: str | bytes | None = None,
    ) -> Field[str]:
        """``Field(tag, indicators=None, subfields=None, data=None)``, as pymarc's:
        a control field (001-009) from ``data``; a data field from
        ``indicators`` (two; blanks by default) and ``subfields``."""
    @property
    def tag(self) -> str:
        """The three-character tag."""
    @tag.setter
    def tag(self, tag: str | int) -> None: ...
    @property
    def control_field(self) -> bool:
        """Whether this is a control field (00X)."""
    def is_control_field(self) -> bool:
        """Whether this is a control field (00X)."""
    def is_subject_field(self) -> bool:
        """Whether this is a subject field (6XX)."""
    @property
    def data(self) -> _V | None:
        """A control field's value; ``None`` for a data field."""
    @data.setter
    def data(self, data: str | bytes | None) -> None: ...
    @property
    def indicators(self) -> Indicators | None:
        """``Indicators(first, second)``; ``None`` for a control field."""
    @indicators.setter
    def indicators(self, indicators: _Indicators) -> None: ...
    @property
    def indicator1(self) -> str:
        """The first indicator ('' for a control field)."""
    @indicator1.setter
    def indicator1(self, value: str) -> None: ...
    @property
    def indicator2(self) -> str:
        """The second indicator ('' for a control field)."""
    @indicator2.setter
    def indicator2(self, value: str) -> None: ...
    @property
    def subfields(self) -> SubfieldList:
        """The subfields, ``Subfield(code, value)`` named tuples in order: a
        live list, whose changes are the field's."""
    @subfields.setter
    def subfields(self, subfields: _Subfields) -> None: ...
    def __getitem__(self, code: str, /) -> _V:
        """The first value of subfield ``code``; ``KeyError`` if there is none."""
    def __setitem__(self, code: str, value: str | bytes, /) -> None:
        """Sets the one subfield ``code`` (``KeyError`` if there is none or more than one)."""
    def add_subfield(self, code: str, value: str | bytes, pos: int | None = None) -> None:
        """Adds a subfield at the end, or before position ``pos``
        (``TypeError`` for a control field)."""
    def delete_subfield(self, code: str) -> _V | None:
        """Removes the first subfield ``code``, giving its value (``None`` if none)."""
    @overload
    def get(self, code: str) -> _V | None: ...
    @overload
    def get(self, code: str, default: _D) -> _V | _D:
        """The first value of subfield ``code``, or ``default`` (``None``)."""
    def __contains__(self, code: str, /) -> bool: ...
    def get_subfields(self, *codes: str) -> list[_V]:
        """The values of the subfields whose code is one of ``codes``, in order."""
    def subfields_as_dict(self) -> dict[str, list[_V]]:
        """``{code: [values]}``."""
    def value(self) -> str:
        """A control field's data, or the subfield values joined by spaces."""
    def format_field(self) -> str:
        """pymarc's ``format_field()``: subject subdivisions after ``--``, no ``$6``."""
    def as_marc(self, encoding: str = "utf-8") -> bytes:
        """The field in ISO 2709, terminator included, its text in ``encoding``."""
    def as_marc21(self, encoding: str = "utf-8") -> bytes:
        """pymarc's old name for ``as_marc()``."""
    def linkage_occurrence_num(self) -> str | None:
        """The occurrence number of the ``$6`` linkage, or ``None`` without one."""
    @property
    def raw(self) -> memoryview:
        """The field's bytes (no terminator), a read-only view into the file."""
    def __iter__(self) -> Iterator[Subfield]: ...
    def __eq__(self, other: object, /) -> bool: ...
    def __hash__(self) -> int: ...
    def __reduce__(self) -> tuple[Any, ...]: ...

@final
class FieldList(MutableSequence[Field[_V]]):
    """``record.fields``: the record's fields, live. ``append``, ``insert``,
    ``remove``, ``pop``, ``sort``, slices and the rest change the record."""

    @overload
    def __getitem__(self, index: SupportsIndex, /) -> Field[_V]: ...
    @overload
    def __getitem__(self, index: slice, /) -> list[Field[_V]]: ...
    @overload
    def __setitem__(self, index: SupportsIndex, value: Field[Any], /) -> None: ...
    @overload
    def __setitem__(self, index: slice, value: Iterable[Field[Any]], /) -> None: ...
    def __delitem__(self, index: SupportsIndex | slice, /) -> None: ...
    def __len__(self) -> int: ...
    def insert(self, index: SupportsIndex, value: Field[Any], /) -> None: ...
    def sort(self, *, key: Callable[[Field[_V]], Any] | None = None, reverse: bool = False) -> None:
        """Sorts the record's fields."""
    def copy(self) -> list[Field[_V]]:
        """A plain list of the fields (not live)."""
    def __add__(self, other: Iterable[Field[Any]], /) -> list[Field[Any]]: ...
    def __radd__(self, other: list[Field[Any]], /) -> list[Field[Any]]: ...
    def __eq__(self, other: object, /) -> bool: ...

@final
class SubfieldList(MutableSequence[Subfield]):
    """``field.subfields``: the field's subfields, live; its changes are the field's."""

    @overload
    def __getitem__(self, index: SupportsIndex, /) -> Subfield: ...
    @overload
    def __getitem__(self, index: slice, /) -> list[Subfield]: ...
    @overload
    def __setitem__(
        self, index: SupportsIndex, value: Subfield | tuple[str, str | bytes], /
    ) -> None: ...
    @overload
    def __setitem__(self, index: slice, value: Iterable[Subfield], /) -> None: ...
    def __delitem__(self, index: SupportsIndex | slice, /) -> None: ...
    def __len__(self) -> int: ...
    def insert(
        self, index: SupportsIndex, value: Subfield | tuple[str, str | bytes], /
    ) -> None: ...
    def sort(self, *, key: Callable[[Subfield], Any] | None = None, reverse: bool = False) -> None:
        """Sorts the field's subfields."""
    def copy(self) -> list[Subfield]:
        """A plain list of the subfields (not live)."""
    def __add__(self, other: Iterable[Subfield], /) -> list[Subfield]: ...
    def __radd__(self, other: list[Subfield], /) -> list[Subfield]: ...
    def __eq__(self, other: object, /) -> bool: ...

@final
class Record(Generic[_V]):
    """One record, as pymarc's. A record read from a file is a view of its
    bytes (fields found, values decoded, only when asked for) until its first
    change, which makes it an owned record in place; ``Record(...)`` builds one."""

    def __new__(
        cls,
        data: bytes | None = None,
        fields: Iterable[Field[Any]] | None = None,
        to_unicode: bool = True,
        force_utf8: bool = False,
        hide_utf8_warnings: bool = False,
        utf8_handling: _Handling = "strict",
        leader: str | Leader | None = None,
        file_encoding: str = "iso8859-1",
    ) -> Record[str]:
        """As pymarc's: a record from one record's ISO 2709 ``data``, or a new
        one with ``fields`` and ``leader`` (given ``22`` at 10-11 and ``4500``
        at 20-23, as pymarc sets them; blanks by default)."""
    @property
    def leader(self) -> Leader:
        """The leader, pymarc's ``Leader``: its changes (``leader[5] = "c"``,
        ``leader.record_status = "c"``) are the record's."""
    @leader.setter
    def leader(self, leader: str | Leader) -> None: ...
    @property
    def fields(self) -> FieldList[_V]:
        """Every field, in order: a live list, whose changes are the record's."""
    @fields.setter
    def fields(self, fields: Iterable[Field[Any]]) -> None: ...
    def add_field(self, *fields: Field[Any]) -> None:
        """Adds ``fields`` at the end."""
    def add_ordered_field(self, *fields: Field[Any]) -> None:
        """Adds ``fields`` in tag order (before the first greater or non-numeric tag)."""
    def add_grouped_field(self, *fields: Field[Any]) -> None:
        """Adds ``fields`` after the last field of their hundred."""
    def remove_field(self, *fields: Field[Any]) -> None:
        """Removes ``fields`` (``FieldNotFound`` for one the record does not have)."""
    def remove_fields(self, *tags: str) -> None:
        """Removes every field with one of ``tags``."""
    def __getitem__(self, tag: str, /) -> Field[_V]:
        """The first field with ``tag``; ``KeyError`` when there is none."""
    @overload
    def get(self, tag: str) -> Field[_V] | None: ...
    @overload
    def get(self, tag: str, default: _D) -> Field[_V] | _D:
        """The first field with ``tag``, or ``default`` (``None``)."""
    def __contains__(self, tag: str, /) -> bool: ...
    @overload
    def get_fields(self) -> FieldList[_V]: ...
    @overload
    def get_fields(self, tag: str, /, *tags: str) -> list[Field[_V]]:
        """The fields with any of ``tags``, a new list (as pymarc's); with no
        tag, the live ``fields``."""
    def get_linked_fields(self, field: Field[_V]) -> list[Field[_V]]:
        """The 880s linked to ``field`` by its ``$6``; ``MissingLinkedFields`` if none."""
    def __iter__(self) -> Iterator[Field[_V]]: ...
    def as_marc(self) -> bytes:
        """ISO 2709 as pymarc writes it: text as UTF-8 and LDR/09 ``a`` (with
        ``to_unicode=False``, the bytes as they are, re-framed)."""
    def as_marc21(self) -> bytes:
        """pymarc's old name for ``as_marc()``."""
    def as_xml(self, namespace: bool = False) -> bytes:
        """One MARCXML ``<record>`` element (UTF-8), as ``record_to_xml``."""
    def to_owned(self) -> OwnedRecord:
        """An editable ``OwnedRecord`` copy, its text decoded to UTF-8 (LDR/09 ``a``)."""
    @property
    def raw(self) -> memoryview:
        """The record's bytes as they are in the file, a read-only view: no copy."""
    @property
    def encoding(self) -> str:
        """How the text is decoded: ``utf-8``, ``utf-8-detected``, ``marc-8``, or
        a legacy ``file_encoding``'s name."""
    @property
    def repairs(self) -> list[RepairWarning]:
        """What validation repaired to read the record (empty for a clean one)."""
    @property
    def index(self) -> int:
        """The record's index in the file."""
    @property
    def offset(self) -> int:
        """The record's byte offset in the file."""
    def as_dict(self) -> dict[str, Any]:
        """MARC-in-JSON as a dict, as pymarc's ``as_dict()``."""
    def as_json(self, **kwargs: Any) -> str:
        """MARC-in-JSON text; keyword arguments go to ``json.dumps``."""
    def to_pymarc(self) -> _PymarcRecord:
        """An equal, editable ``pymarc.Record`` (needs pymarc)."""
    @property
    def title(self) -> _V | None:
        """245 ``$a``, and ``$b`` after a space."""
    @property
    def issn_title(self) -> _V | None:
        """222 ``$a`` and ``$b``, the key title."""
    @property
    def isbn(self) -> str | None:
        """The first run of digits, X and hyphens in the first 020 ``$a``, unhyphenated."""
    @property
    def issn(self) -> _V | None:
        """022 ``$a``."""
    @property
    def issnl(self) -> _V | None:
        """022 ``$l``."""
    @property
    def sudoc(self) -> str | None:
        """086, formatted."""
    @property
    def author(self) -> str | None:
        """100, 110 or 111, formatted."""
    @property
    def uniformtitle(self) -> str | None:
        """130 or 240, formatted."""
    @property
    def series(self) -> list[Field[_V]]:
        """The series fields (440, 490, 800, 810, 811, 830)."""
    @property
    def subjects(self) -> list[Field[_V]]:
        """The subject fields (6XX, as pymarc lists them)."""
    @property
    def addedentries(self) -> list[Field[_V]]:
        """The added entries (7XX, as pymarc lists them)."""
    @property
    def location(self) -> list[Field[_V]]:
        """The 852 fields."""
    @property
    def notes(self) -> list[Field[_V]]:
        """The note fields (5XX, as pymarc lists them)."""
    @property
    def physicaldescription(self) -> list[Field[_V]]:
        """The 300 fields."""
    @property
    def publisher(self) -> _V | None:
        """260 ``$b``, or ``$b`` of a 264 with second indicator 1."""
    @property
    def pubyear(self) -> _V | None:
        """260 ``$c``, or ``$c`` of a 264 with second indicator 1."""
    def lint(
        self,
        *,
        rules: list[str] | None = None,
        definitions: str | os.PathLike[str] | None = None,
    ) -> list[LintFinding]:
        """MARC 21 rule validation of this record (``rules`` and ``definitions``
        as for ``MARCReader.lint()``); offsets are in the file."""
    def __eq__(self, other: object, /) -> bool: ...
    def __hash__(self) -> int: ...
    def __reduce__(self) -> tuple[Any, ...]: ...

_Shape: TypeAlias = Literal["records", "subfields", "columns"]

@final
class Spec:
    """A MARCspec, parsed once: ``Spec("650[0]$a{$2=\\lcsh}")``. Accepted
    wherever a spec string is (``extract``, ``filter``, ``to_arrow`` columns).
    Tags take ``.`` as a wildcard (``6..``), and ``X`` in a tag of digits and
    ``X`` (``6XX`` is ``6..``, ``XXX`` is ``...``); ``^1``/``^2`` are indicators;
    ``[0]``, ``[#]``, ``[0-2]``, ``[#-1]`` occurrences; ``$a-c`` subfield
    ranges; ``/0-3``, ``/#`` character positions; ``{...}`` subspecs with
    ``= != ~ !~ ? !``, ``|`` for or. A spec that does not parse raises
    ``SpecError`` with the column."""

    def __new__(cls, text: str) -> Spec: ...
    @property
    def text(self) -> str:
        """The spec as written."""
    @property
    def is_single(self) -> bool:
        """Whether it gives at most one value a record (the leader, characters of
        a field, one occurrence), as a ``string`` column in Arrow."""
    def __eq__(self, other: object, /) -> bool: ...
    def __hash__(self) -> int: ...
    def __reduce__(self) -> tuple[type[Spec], tuple[str]]: ...

@final
class Expr:
    """A filter expression, parsed once: ``Expr("245$a ~ /^the/i and not 856")``,
    ``Expr("LDR/06 = a and 008/35-37 in [eng, ger]")``, ``Expr("count(650) >= 3")``.
    Accepted by ``MARCReader.filter`` and ``MARCReader.where``. One that does
    not parse raises ``SpecError`` with the column."""

    def __new__(cls, text: str) -> Expr: ...
    @property
    def text(self) -> str:
        """The expression as written."""
    def __eq__(self, other: object, /) -> bool: ...
    def __hash__(self) -> int: ...
    def __reduce__(self) -> tuple[type[Expr], tuple[str]]: ...

@final
class ArrowStream:
    """Arrow record batches of a reader's records (``MARCReader.to_arrow()``),
    through the Arrow PyCapsule interface; consumed once."""
    def __arrow_c_schema__(self) -> object:
        """The schema as an ``arrow_schema`` PyCapsule; reads no record."""
    def __arrow_c_stream__(self, requested_schema: object | None = None) -> object:
        """The batches as an ``arrow_array_stream`` PyCapsule (once)."""
    @property
    def shape(self) -> _Shape:
        """``"records"``, ``"subfields"`` or ``"columns"``."""
    @property
    def consumed(self) -> bool:
        """Whether ``__arrow_c_stream__`` was called."""
    @property
    def errors(self) -> list[MarcError]:
        """The errors of the records made null (no rows in ``"subfields"``) in
        the batches read so far, in the order of the stream's rows, each naming
        its record index and byte offset: complete once the stream is read to
        the end."""

class _SubfieldCounts(TypedDict):
    records: int
    occurrences: int

class _TagCounts(TypedDict):
    records: int
    occurrences: int
    bytes: int
    indicator1: dict[str, int]
    indicator2: dict[str, int]
    subfields: dict[str, _SubfieldCounts]

class _Bucket(TypedDict):
    low: int
    high: int | None
    count: int

class _Distribution(TypedDict):
    count: int
    total: int
    min: int
    max: int
    mean: float
    buckets: list[_Bucket]

class _Example(TypedDict):
    record: int
    offset: int | None
    message: str

class _Problem(TypedDict):
    id: str
    description: str
    records: int
    examples: list[_Example]

class _RuleCount(TypedDict):
    rule: str
    severity: str
    description: str
    findings: int
    records: int

_ProfilePart: TypeAlias = Literal[
    "leader", "tags", "subfields", "indicators", "lengths", "problems", "lint"
]

@final
class Profile:
    """A profile of a whole file, made by ``MARCReader.stats()``.

    Counts are over the good records (read, perhaps repaired, text decoding):
    records by leader value, tags (records having each, occurrences, subfield
    codes, indicator values) and length distributions; ``problems`` lists
    what marcmap found wrong, by kind. Byte values (leader values, indicators,
    subfield codes) are keys as text: an ASCII byte as itself (``" "`` for a
    blank), any other as ``"\\xNN"``."""

    parts: list[str]
    """The names of the parts ``table()`` makes."""
    @property
    def records(self) -> int:
        """Records in the file's index, good and bad."""
    @property
    def good(self) -> int:
        """Records read (some by repair) whose text decodes."""
    @property
    def bad(self) -> int:
        """Records that cannot be read, or whose text does not decode (checked
        strictly, as ``validate()`` does)."""
    @property
    def repaired(self) -> int:
        """Good records read by repairing their directory or lengths."""
    @property
    def mislabelled_utf8(self) -> int:
        """Good records labelled MARC-8 (LDR/09 blank) whose bytes are UTF-8."""
    @property
    def skipped_ranges(self) -> int:
        """Byte ranges between records skipped as damage."""
    @property
    def skipped_bytes(self) -> int:
        """Bytes in the skipped ranges."""
    @property
    def recovered(self) -> int:
        """Records found despite a wrong record length in their leader."""
    @property
    def fields(self) -> int:
        """Fields in the good records."""
    def leader_values(self, position: int) -> dict[str, int]:
        """``{value: records}`` at leader position ``position`` (0-23), most
        frequent first; ``ValueError`` past the leader. The coded positions are
        counted (05-11, 17-23); the others (record length, base address) give
        ``{}``."""
    @property
    def record_types(self) -> dict[str, int]:
        """Records by type of record (LDR/06)."""
    @property
    def bibliographic_levels(self) -> dict[str, int]:
        """Records by bibliographic level (LDR/07)."""
    @property
    def character_coding(self) -> dict[str, int]:
        """Records by character coding scheme (LDR/09: ``"a"`` UTF-8, ``" "`` MARC-8)."""
    @property
    def encoding_levels(self) -> dict[str, int]:
        """Records by encoding level (LDR/17)."""
    @property
    def tags(self) -> dict[str, _TagCounts]:
        """Each tag, in tag order: records having it, its fields, their bytes;
        for data fields ``{value: fields}`` for each indicator and each subfield
        code's records and occurrences."""
    @property
    def record_lengths(self) -> _Distribution:
        """Good records' lengths in bytes (``high`` is ``None`` for an open
        last bucket)."""
    @property
    def field_lengths(self) -> _Distribution:
        """Fields' lengths in bytes, terminator included (as in the directory)."""
    @property
    def fields_per_record(self) -> _Distribution:
        """Fields a good record."""
    @property
    def problems(self) -> list[_Problem]:
        """What was wrong, by kind, most frequent first, with the first few
        records of each. Ids start ``bad:`` (records that cannot be read) or
        ``repaired:`` (records read by repair)."""
    @property
    def lint(self) -> list[_RuleCount] | None:
        """With ``stats(lint=True)``: every rule that ran, most findings first,
        with its findings and the records having one; ``None`` otherwise."""
    def to_dict(self) -> dict[str, Any]:
        """Everything, as JSON-ready data (``marcmap stats --format json``)."""
    def table(self, name: _ProfilePart) -> ProfileTable:
        """Part ``name`` as an Arrow table: ``"leader"`` (position, value,
        records), ``"tags"`` (tag, records, occurrences, bytes), ``"subfields"``
        (tag, code, records, occurrences), ``"indicators"`` (tag, indicator,
        value, fields), ``"lengths"`` (measure, low, high, count) or
        ``"problems"`` (id, description, records), and with
        ``stats(lint=True)`` ``"lint"`` (rule, severity, description, findings,
        records)."""

@final
class ProfileTable:
    """One part of a ``Profile`` as an Arrow table (``Profile.table()``),
    through the Arrow PyCapsule interface: ``pyarrow.table(t)``,
    ``polars.DataFrame(t)``, DuckDB. It can be read any number of times."""
    def __arrow_c_schema__(self) -> object:
        """The schema as an ``arrow_schema`` PyCapsule."""
    def __arrow_c_stream__(self, requested_schema: object | None = None) -> object:
        """The table as an ``arrow_array_stream`` PyCapsule of one batch."""
    @property
    def name(self) -> str:
        """The part's name."""
    def __len__(self) -> int: ...

_Severity: TypeAlias = Literal["error", "warning", "info"]

class _LintRule(TypedDict):
    id: str
    severity: _Severity
    default: bool
    description: str

def lint_rules() -> list[_LintRule]:
    """Every lint rule: its ``id``, ``severity``, whether it runs by ``default``
    (when no rules are named) and a one-line ``description``."""

class _LintFindingDict(TypedDict):
    record_index: int
    byte_offset: int
    field_index: int | None
    tag: str | None
    code: str | None
    rule: str
    message: str
    severity: _Severity

@final
class LintFinding:
    """One thing a lint rule found in a record (``MARCReader.lint()``,
    ``Record.lint()``, ``OwnedRecord.lint()``)."""
    @property
    def record_index(self) -> int:
        """The record's index in the file (0 for a record linted on its own)."""
    @property
    def byte_offset(self) -> int:
        """The byte offset of the field or subfield concerned (of the record for
        a record-level finding; of the record in a MARCXML or JSON input)."""
    @property
    def field_index(self) -> int | None:
        """The field's index in directory order; ``None`` for a record-level finding."""
    @property
    def tag(self) -> str | None:
        """The field's tag (``"LDR"`` for the leader), or ``None``."""
    @property
    def code(self) -> str | None:
        """The subfield code (``"1"``/``"2"`` for an indicator), or ``None``."""
    @property
    def rule(self) -> str:
        """The rule's stable id, such as ``"non-repeatable-field"``."""
    @property
    def message(self) -> str:
        """What is wrong, in one line."""
    @property
    def severity(self) -> _Severity:
        """``"error"``, ``"warning"`` or ``"info"``."""
    def as_dict(self) -> _LintFindingDict:
        """The eight attributes as a dict."""

@final
class LintTable:
    """Lint findings as an Arrow table (``MARCReader.lint_arrow()``), through the
    Arrow PyCapsule interface: ``pyarrow.table(t)``, ``polars.DataFrame(t)``,
    DuckDB; readable any number of times. Columns: ``record_index``,
    ``byte_offset``, ``field_index``, ``tag``, ``code``, ``rule``,
    ``severity``, ``message``."""
    def __arrow_c_schema__(self) -> object:
        """The schema as an ``arrow_schema`` PyCapsule."""
    def __arrow_c_stream__(self, requested_schema: object | None = None) -> object:
        """The findings as an ``arrow_array_stream`` PyCapsule of one batch."""
    def __len__(self) -> int: ...

@final
class MARCReader(Generic[_V]):
    """A reader over a MARC file, a memory-mapped index of its records.

    ```python
    MARCReader(source, *, to_unicode=True, force_utf8=False, hide_utf8_warnings=False,
               utf8_handling="strict", file_encoding=None, permissive=False,
               raise_errors=False, lazy_decoding=False, framing="lenient",
               validation="repair", mmap=True, marc8_handling="replace",
               marc8_normalization="NFC", marc8_ligatures="lc", detect_utf8=True,
               byte_range=None, index="auto", format="auto", threads=None,
               max_decompressed=None)
    ```

    Iterate it like pymarc's ``MARCReader`` (a bad record is ``None``, with
    ``current_exception`` and ``current_chunk`` set), index it like a list
    (``reader[i]``, ``reader[-1]``, slices), look records up by 001
    (``get_by_control_number``), and run bulk work on all cores with the GIL
    released (``extract``, ``filter``, ``validate``, ``write``, ``to_arrow``).
    It is a context manager. This is the one full list of its options; the
    user guide links here.

    ``source``: a path, ``bytes`` (shared, no copy: it is immutable), another
    bytes-like object (``bytearray``, memoryviews of anything but ``bytes``,
    numpy arrays, ``mmap`` objects: copied, since it could change while the GIL
    is released), a binary file object, or an fsspec URL (``s3://``, ``gs://``,
    ``file://``, ``memory://``, any other: read through fsspec, which is needed
    only for URLs). Pipes and special files are read into memory.

    pymarc's options:

    - ``to_unicode=True``: values are ``str``; ``False`` gives ``bytes``.
    - ``force_utf8=False``: read every record as UTF-8, whatever LDR/09 says.
    - ``utf8_handling="strict"``: invalid UTF-8 makes the record bad (``None``,
      as in pymarc); ``"replace"`` gives U+FFFD, ``"ignore"`` drops the bytes.
    - ``file_encoding=None``: the encoding of records that LDR/09 does not mark
      UTF-8: MARC-8 (pymarc's default ``"iso8859-1"`` means MARC-8 too), or a
      legacy one such as ``"cp1251"``, ``"iso8859-5"``, ``"latin-1"`` or any
      WHATWG label.
    - ``permissive=False``, ``hide_utf8_warnings=False``: accepted; as in pymarc
      5.4 a bad record is ``None`` whatever ``permissive`` says, and marcmap
      never prints.

    marcmap's options:

    - ``raise_errors=False``: raise a bad record's error instead of giving
      ``None`` (``reader[i]`` too; ``extract`` and ``filter`` then raise instead
      of giving empty entries for it).
    - ``lazy_decoding=False``: by default every record's text is checked as
      records are read (GIL-free, in batches), so that a record whose text does
      not decode is bad, as in pymarc, and no accessor raises later; this costs
      5-10% of an iteration. ``True`` skips the check; a bad value then raises
      ``MarcDecodeError`` when it is read.
    - ``framing="lenient"``: skip damage between records and report it
      (``skipped``), recovering records whose leader length is wrong
      (``recovered``); ``"strict"`` stops at the first framing error
      (``framing_error``).
    - ``validation="repair"``: read records whose directory disagrees with their
      data when their fields can still be located by their terminators (a short
      field length, lengths counted in characters, a missing directory
      terminator, an entry past the data, a base address that disagrees with the
      directory), listing each repair in ``record.repairs``; ``"strict"``
      refuses them.
    - ``mmap=True``: map the file read-only; ``False`` reads it into memory (for
      files on shared network storage, or being written).
    - ``marc8_handling="replace"``: invalid MARC-8 becomes U+FFFD (pymarc
      garbles it); ``"strict"`` makes the record bad, ``"ignore"`` drops it.
    - ``marc8_normalization="NFC"``: or ``"NFD"`` (what LC's converters and
      marc4j give).
    - ``marc8_ligatures="lc"``: the LC mapping of the ligature and double-tilde
      halves (U+0361/U+0360, second half dropped); ``"pymarc"`` gives
      U+FE20-U+FE23.
    - ``detect_utf8=True``: records labelled MARC-8 whose bytes are UTF-8 are
      read as UTF-8 (``record.encoding`` says ``"utf-8-detected"``;
      ``mislabelled_utf8()`` lists them).
    - ``byte_range=None``: ``(start, end)`` reads only the records that start in
      those bytes of the file, as the whole file's reading has them (see
      ``marcmap.partitions``): offsets stay the file's, indices count from the
      range's first record (``first_record_index``: 0 for a range from the
      start, else ``None``).
    - ``index="auto"``: the sidecar ``FILE.mmi`` of a local file read whole
      (``save_index()``, ``marcmap index FILE``) is used when valid, and a stale
      or corrupt one is warned about (``SidecarWarning``) and the file indexed
      from its bytes; ``"require"`` raises ``SidecarError`` without a valid one,
      ``"rebuild"`` indexes the file and writes one, ``"off"`` never looks.
      Byte ranges and URLs take only ``"auto"`` or ``"off"``.
    - ``format="auto"``: the input's format, found from its first bytes (ISO
      2709, MARCXML, MARC-in-JSON, JSON lines, MARCMaker, inside gzip or zstd or
      not), or ``"marc"``, ``"marcxml"``, ``"json"``, ``"jsonl"``, ``"mrk"``.
      MARCXML, JSON and MARCMaker are transcoded to ISO 2709 in memory; a
      malformed record is ``None`` with a ``FormatError`` (record, line, column,
      byte). Input that is none of these raises ``NotMarcError``, saying what it
      looks like.
    - ``threads=None``: threads for finding where the records start (the index
      scan) and for reading a large MARCXML input (all cores); 1 scans serially.
    - ``max_decompressed=None``: the most bytes a gzip or zstd input may
      decompress to before it is stopped as a runaway (a decompression bomb):
      by default 100 times its compressed size, and at least 1 GiB. Raise it
      for an unusually compressible genuine file. Whatever it is, memory stays
      bounded: output past 64 MiB goes to a temporary file (in ``TMPDIR``,
      unlinked) that is mapped.
    """

    @overload
    def __new__(
        cls,
        source: _Source,
        *,
        to_unicode: Literal[True] = True,
        force_utf8: bool = False,
        hide_utf8_warnings: bool = False,
        utf8_handling: _Handling = "strict",
        file_encoding: str | None = None,
        permissive: bool = False,
        raise_errors: bool = False,
        lazy_decoding: bool = False,
        framing: Literal["lenient", "strict"] = "lenient",
        validation: Literal["repair", "strict"] = "repair",
        mmap: bool = True,
        marc8_handling: _Handling = "replace",
        marc8_normalization: Literal["NFC", "NFD"] = "NFC",
        marc8_ligatures: Literal["lc", "pymarc"] = "lc",
        detect_utf8: bool = True,
        byte_range: tuple[int, int] | None = None,
        index: Literal["auto", "require", "rebuild", "off"] = "auto",
        format: Literal["auto"] | _Format = "auto",
        threads: int | None = None,
        max_decompressed: int | None = None,
    ) -> MARCReader[str]: ...
    @overload
    def __new__(
        cls,
        source: _Source,
        *,
        to_unicode: Literal[False],
        force_utf8: bool = False,
        hide_utf8_warnings: bool = False,
        utf8_handling: _Handling = "strict",
        file_encoding: str | None = None,
        permissive: bool = False,
        raise_errors: bool = False,
        lazy_decoding: bool = False,
        framing: Literal["lenient", "strict"] = "lenient",
        validation: Literal["repair", "strict"] = "repair",
        mmap: bool = True,
        marc8_handling: _Handling = "replace",
        marc8_normalization: Literal["NFC", "NFD"] = "NFC",
        marc8_ligatures: Literal["lc", "pymarc"] = "lc",
        detect_utf8: bool = True,
        byte_range: tuple[int, int] | None = None,
        index: Literal["auto", "require", "rebuild", "off"] = "auto",
        format: Literal["auto"] | _Format = "auto",
        threads: int | None = None,
        max_decompressed: int | None = None,
    ) -> MARCReader[bytes]: ...
    def __iter__(self) -> MARCReader[_V]: ...
    def __next__(self) -> Record[_V] | None:
        """The next record; ``None`` for a bad one (see ``current_exception``)."""
    def __len__(self) -> int:
        """The number of records."""
    @overload
    def __getitem__(self, key: int, /) -> Record[_V] | None: ...
    @overload
    def __getitem__(self, key: slice, /) -> list[Record[_V] | None]:
        """Record ``key`` (negative counts from the end), or a list for a slice;
        a bad record is ``None``, as in iteration."""
    def offset(self, i: int) -> int:
        """The byte offset where record ``i`` starts."""
    def get_by_control_number(self, control_number: str | bytes) -> Record[_V] | None:
        """The first record whose 001 is ``control_number`` (whitespace-trimmed)."""
    def get_all_by_control_number(self, control_number: str | bytes) -> list[Record[_V] | None]:
        """Every record whose 001 is ``control_number``, in file order."""
    def build_control_number_index(self, *, threads: int | None = None) -> int:
        """Builds the 001 index now; returns how many records have a 001."""
    @overload
    def extract(
        self,
        spec: _SpecArg,
        /,
        *,
        threads: int | None = None,
        first: Literal[False] = False,
        records: list[int] | None = None,
    ) -> list[list[_V]]: ...
    @overload
    def extract(
        self,
        spec: _SpecArg,
        /,
        *,
        threads: int | None = None,
        first: Literal[True],
        records: list[int] | None = None,
    ) -> list[_V | None]: ...
    @overload
    def extract(
        self,
        spec: _SpecArg,
        spec2: _SpecArg,
        /,
        *specs: _SpecArg,
        threads: int | None = None,
        first: bool = False,
        records: list[int] | None = None,
    ) -> list[tuple[Any, ...]]:
        """The values of ``spec``, a MARCspec (``"245$a"``, ``"650[0]$a-c"``,
        ``"LDR/6"``, ``"008/35-37"``, ``"650$a{$2=\\lcsh}"``; text or a
        ``Spec``), in every record (or those at the indices in ``records``), on
        ``threads`` threads with the GIL released: a list of values a record,
        or with ``first=True`` the first value (or ``None``); with several
        specs, a tuple a record. A bad record gives empty entries, reported
        in one ``SkippedRecordsWarning`` (or raises, with
        ``raise_errors=True``). A spec that does not parse raises
        ``SpecError``."""
    def filter(
        self,
        expr: _ExprArg,
        contains: str | None = None,
        *,
        ignore_case: bool = False,
        threads: int | None = None,
    ) -> list[int]:
        """The indices of the records that meet the filter expression ``expr``
        (``"245$a ~ /^the/i and not 856"``, ``"count(650) >= 3"``; a ``Spec``:
        the records with a value for it), found on ``threads`` threads with
        the GIL released. With ``contains``, ``expr`` is a spec and the records
        are those with a value for it containing ``contains``. A record that
        cannot be read is left out and reported: one ``SkippedRecordsWarning``
        holds them all (with ``raise_errors=True`` the first is raised)."""
    def frequency(self, spec: _SpecArg, *, threads: int | None = None) -> list[tuple[str, int]]:
        """How often each value of ``spec`` occurs, every occurrence counted:
        ``(value, count)`` pairs, most frequent first, ties in value order;
        counted on ``threads`` threads without the GIL. A record that cannot be
        read is left out and reported, as by ``filter``."""
    def to_csv(
        self,
        target: _Target,
        columns: Mapping[str, _SpecArg] | Sequence[_SpecArg],
        *,
        delimiter: str = ",",
        separator: str = "|",
        explode: bool = False,
        header: bool = True,
        threads: int | None = None,
    ) -> None:
        """Writes the values of ``columns`` (name to spec, or specs) as CSV to a
        path or binary file: one row a record, a cell the values joined by
        ``separator``; ``explode=True`` gives one row an occurrence (the k-th
        row holds each spec's k-th value; a record with no value gives no
        row). ``delimiter="\\t"`` writes TSV. Made on ``threads`` threads
        without the GIL. A record that cannot be read has empty cells and is
        reported in one ``SkippedRecordsWarning`` (``raise_errors=True``: the
        first is raised, and a path is left as it was)."""
    def where(self, expr: _ExprArg) -> Selection:
        """The records that meet ``expr`` as a lazy ``Selection``. ``write``
        tests each record as it writes it, in one pass; extracting, Arrow,
        ``len`` and iteration find the records once, on first use, then read
        only those."""
    def validate(
        self, *, decode: bool = True, strict_text: bool = True, threads: int | None = None
    ) -> list[MarcError]:
        """Every malformed record (and record whose text does not decode), in order;
        ``strict_text=False`` checks text as the reader decodes it."""
    def write(
        self,
        target: _Target,
        format: _Format = "marc",
        *,
        to_utf8: bool = False,
        to_marc8: bool = False,
        threads: int | None = None,
        records: list[int] | None = None,
        progress: Callable[[int, int], object] | None = None,
        edits: Edits | Iterable[str] | None = None,
        where: _ExprArg | None = None,
    ) -> WriteResult:
        """Writes every record (or those at the indices in ``records``, in that
        order) to a path or binary file in ``format``, serialised on ``threads``
        threads with the GIL released; ``to_utf8`` transcodes MARC-8 records to
        UTF-8 (ISO 2709; text formats are always UTF-8); ``to_marc8`` writes
        ISO 2709 in MARC-8, LDR/09 blank (records already MARC-8 as they are;
        characters MARC-8 lacks as ``&#xHHHH;``, counted in the result's
        ``references``); ``progress(done, total)`` is called as the work goes
        on. ``edits`` (an ``Edits``, or a list of
        rules such as ``["delete 9XX", "add 856 40 $u https://example.org/"]``)
        changes each record as it is written; the result's ``edits`` has an
        ``EditCount`` a rule. A record the edits make too long (over 99,999
        bytes) is left out and reported in ``errors``. ``where`` (a filter
        expression) writes only the records that meet it (of ``records``, when
        given), each tested as it is written, before any ``edits``, in one
        pass; the result's ``matched`` counts them."""
    def to_arrow(
        self,
        shape: _Shape = "records",
        columns: Mapping[str, _SpecArg] | Sequence[_SpecArg] | None = None,
        *,
        first: bool = False,
        binary: bool = False,
        raw: bool = False,
        batch_size: int | None = None,
        threads: int | None = None,
        records: list[int] | None = None,
    ) -> ArrowStream:
        """The records as a stream of Arrow record batches (the Arrow PyCapsule
        interface: ``pyarrow.table(s)``, ``polars.DataFrame(s)``, DuckDB), in
        the nested ``"records"``, long ``"subfields"`` or wide ``"columns"``
        shape (``columns``: name to ``extract`` spec). A bad record is null (no
        rows in ``"subfields"``) and its error is in the stream's ``errors``
        once read; with ``raise_errors=True`` it ends the stream with its error."""
    def to_parquet(
        self,
        path: str | os.PathLike[str],
        shape: _Shape = "records",
        columns: Mapping[str, _SpecArg] | Sequence[_SpecArg] | None = None,
        *,
        first: bool = False,
        binary: bool = False,
        raw: bool = False,
        compression: Literal["zstd", "snappy", "none"] = "zstd",
        batch_size: int | None = None,
        threads: int | None = None,
        progress: Callable[[int, int], object] | None = None,
        records: list[int] | None = None,
    ) -> int:
        """Writes ``to_arrow()``'s batches to a Parquet file through the Rust
        ``parquet`` crate (no pyarrow needed); returns the rows written. A
        record made null (it cannot be read) is reported in one
        ``SkippedRecordsWarning``."""
    def mislabelled_utf8(self, *, threads: int | None = None) -> list[int]:
        """The records labelled MARC-8 whose bytes are UTF-8."""
    def repaired_records(self, *, threads: int | None = None) -> list[int]:
        """The indices of the records that validation read by repair (their
        ``record.repairs`` is not empty; none with ``validation="strict"``,
        which refuses them), found on ``threads`` threads with the GIL
        released, without making a ``Record`` for each clean one."""
    def stats(
        self,
        *,
        threads: int | None = None,
        decode: bool = True,
        lint: bool = False,
        rules: list[str] | None = None,
    ) -> Profile:
        """A profile of the whole file, on ``threads`` threads with the GIL
        released (see ``Profile``). A record is bad when it cannot be read or
        (``decode=True``) its text does not decode, checked strictly. With
        ``lint=True`` every record is also linted (``rules``: rule ids,
        ``"default"`` or ``"all"``; the default rules when ``None``) and the
        findings counted by rule (``Profile.lint``)."""
    def lint(
        self,
        *,
        rules: list[str] | None = None,
        threads: int | None = None,
        definitions: str | os.PathLike[str] | None = None,
    ) -> list[LintFinding]:
        """MARC 21 rule validation of every record, on ``threads`` threads (all
        cores by default) with the GIL released, in record order. ``rules``:
        rule ids (``marcmap.lint_rules()``), ``"default"`` or ``"all"``; the
        default rules when ``None``. ``definitions``: a JSON file in the shape
        of the built-in MARC 21 definitions, adding or overriding tags. A
        record that does not parse gives one ``invalid-record`` finding."""
    def lint_arrow(
        self,
        *,
        rules: list[str] | None = None,
        threads: int | None = None,
        definitions: str | os.PathLike[str] | None = None,
    ) -> LintTable:
        """``lint()``'s findings as an Arrow table, for DuckDB, Polars or pyarrow."""
    @property
    def current_exception(self) -> MarcError | None:
        """pymarc's: the error behind the last ``None``."""
    @property
    def current_chunk(self) -> bytes | None:
        """pymarc's: the bytes of the last record read (or of the damage)."""
    @property
    def skipped(self) -> list[tuple[int, int, str]]:
        """The byte ranges lenient framing skipped: ``(offset, length, reason)``."""
    @property
    def recovered(self) -> list[tuple[int, int, int | None, int]]:
        """Records read despite a wrong leader length: ``(index, offset, declared, actual)``."""
    @property
    def framing_error(self) -> MarcError | None:
        """With strict framing, the error that stopped indexing."""
    @property
    def is_mapped(self) -> bool:
        """Whether the file is memory-mapped (not read into memory)."""
    @property
    def byte_range(self) -> tuple[int, int]:
        """The bytes the records and skipped ranges cover, as offsets in the file."""
    @property
    def first_record_index(self) -> int | None:
        """The whole file's index of record 0: 0, or ``None`` for a later byte range."""
    @property
    def index_status(
        self,
    ) -> Literal["used", "missing", "stale", "corrupt", "unreadable", "written", "off"]:
        """What became of the sidecar ``FILE.mmi`` when the reader was opened."""
    def save_index(
        self, path: str | os.PathLike[str] | None = None, *, control_numbers: bool = True
    ) -> str:
        """Writes the index (with the 001 index, unless ``control_numbers=False``) to
        ``path`` or ``FILE.mmi``; gives the path written."""
    @property
    def format(self) -> _Format:
        """The input's format (MARCXML, JSON and MARCMaker are transcoded to ISO 2709)."""
    @property
    def compression(self) -> Literal["gzip", "zstd"] | None:
        """The input's compression, if it was compressed."""
    def close(self) -> None:
        """Stops iteration, lookups and bulk work; records already made stay valid."""
    def __enter__(self) -> MARCReader[_V]: ...
    def __exit__(self, *args: object) -> bool: ...

def record_to_xml(record: _AnyRecord, quiet: bool = False, namespace: bool = False) -> bytes:
    """One MARCXML ``<record>`` element as UTF-8 bytes, as pymarc's ``record_to_xml``."""

@final
class OwnedRecord:
    """A record that owns its fields, to build and edit without pymarc. Its text
    is UTF-8; ``as_marc()`` writes LDR/09 ``a``."""

    def __new__(
        cls, leader: str | None = None, fields: list[Field[Any]] | list[Any] | None = None
    ) -> OwnedRecord: ...
    @property
    def leader(self) -> Leader:
        """The leader; its lengths are computed when the record is written."""
    @leader.setter
    def leader(self, value: str) -> None: ...
    def add_control_field(self, tag: str, data: str | bytes) -> None:
        """Adds a control field."""
    def add_data_field(
        self,
        tag: str,
        ind1: str,
        ind2: str,
        subfields: list[tuple[str, str | bytes]] | list[Subfield] | list[str],
    ) -> None:
        """Adds a data field with ``(code, value)`` subfields."""
    def add_field(self, *fields: Field[Any] | Any) -> None:
        """Adds copies of marcmap or pymarc ``Field``s."""
    def remove_fields(self, *tags: str) -> int:
        """Removes every field with one of ``tags``; returns how many."""
    @property
    def fields(self) -> list[Field[str]]:
        """Read-only views of the fields as they are now."""
    def get_fields(self, *tags: str) -> list[Field[str]]:
        """The fields with any of ``tags`` (every field when none is given)."""
    def __len__(self) -> int: ...
    def as_marc(self) -> bytes:
        """ISO 2709, leader and directory computed, LDR/09 ``a``."""
    def as_record(self) -> Record[str]:
        """A read-only ``Record`` over the record as it is now."""
    def as_xml(self, namespace: bool = False) -> bytes:
        """One MARCXML ``<record>`` element (UTF-8)."""
    def lint(
        self,
        *,
        rules: list[str] | None = None,
        definitions: str | os.PathLike[str] | None = None,
    ) -> list[LintFinding]:
        """MARC 21 rule validation of the record as it is now (written as
        ``as_marc()`` writes it); offsets count from the record's start."""
    def __eq__(self, other: object, /) -> bool: ...

class _Writer:
    def write(self, record: _AnyRecord) -> None:
        """Writes one record."""
    def close(self, close_fh: bool = True) -> None:
        """Finishes the output; closes the file handle unless ``close_fh=False``."""
    @property
    def written(self) -> int:
        """How many records were written."""
    @property
    def replaced(self) -> int:
        """How many characters the format cannot hold were written as U+FFFD."""
    def __enter__(self) -> Any: ...
    def __exit__(self, *args: object) -> bool: ...

@final
class MARCWriter(_Writer):
    """pymarc's ``MARCWriter``: ISO 2709 (text as UTF-8, LDR/09 ``a``, unless
    ``to_utf8=False``, which writes a ``Record``'s bytes as they are). With
    ``encoding="marc8"``, text as MARC-8, LDR/09 blank: records already MARC-8
    as they are, every other (an ``OwnedRecord``, a pymarc ``Record``, a UTF-8
    ``Record``) encoded, characters MARC-8 lacks as ``&#xHHHH;``."""

    def __new__(
        cls,
        file_handle: IO[bytes],
        to_utf8: bool = True,
        *,
        encoding: Literal["utf-8", "marc8"] | None = None,
    ) -> MARCWriter: ...
    @property
    def references(self) -> int:
        """MARC-8 out: how many characters MARC-8 lacks were written as ``&#xHHHH;``."""

@final
class XMLWriter(_Writer):
    """pymarc's ``XMLWriter``: a MARCXML ``<collection>``."""

    def __new__(cls, file_handle: IO[bytes] | IO[str]) -> XMLWriter: ...

@final
class JSONWriter(_Writer):
    """pymarc's ``JSONWriter``: a JSON array of MARC-in-JSON records."""

    def __new__(cls, file_handle: IO[str] | IO[bytes]) -> JSONWriter: ...

@final
class TextWriter(_Writer):
    """pymarc's ``TextWriter``: MARCMaker text as MarcEdit writes it."""

    def __new__(cls, file_handle: IO[str] | IO[bytes]) -> TextWriter: ...
