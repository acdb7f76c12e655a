"""marcmap's exceptions.

Every error about the data is a :class:`MarcError` that says where it happened:
``record_index`` (0-based), ``byte_offset`` (absolute, in the file) and, where one
applies, ``field_index``. pymarc's exception names are kept as subclasses or
aliases, so ``except pymarc.exceptions.X``-style code ports by changing the import.
"""

from __future__ import annotations


class _Positioned:
    """Where something happened: the record, the byte offset in the file, the field."""

    message: str
    record_index: int | None
    byte_offset: int | None
    field_index: int | None

    def _place(
        self,
        message: str,
        record_index: int | None,
        byte_offset: int | None,
        field_index: int | None,
    ) -> None:
        self.message = message
        self.record_index = record_index
        self.byte_offset = byte_offset
        self.field_index = field_index

    def __str__(self) -> str:
        return self.message

    def __reduce__(self):  # type: ignore[no-untyped-def]
        return (
            type(self),
            (self.message, self.record_index, self.byte_offset, self.field_index),
        )


class MarcError(_Positioned, Exception):
    """A malformed record, text that is not valid in its encoding, or a sidecar
    (persisted index) that cannot be used."""

    def __init__(
        self,
        message: str = "",
        record_index: int | None = None,
        byte_offset: int | None = None,
        field_index: int | None = None,
    ) -> None:
        Exception.__init__(self, message)
        self._place(message, record_index, byte_offset, field_index)


class FramingError(MarcError):
    """The record boundaries are wrong: Phase 1 could not frame a record."""


class RecordLengthInvalid(FramingError):
    """The leader's record length is not five digits, is too small, or runs past an
    earlier record terminator beyond the record's own fields."""


class TruncatedRecord(FramingError):
    """The data ends before the record does."""


class EndOfRecordNotFound(FramingError):
    """The declared end of the record is not a record terminator (0x1D)."""


class StructureError(MarcError):
    """The record is framed, but its leader, directory or fields are inconsistent."""


class RecordLeaderInvalid(StructureError):
    """The leader is short or not ASCII."""


class BaseAddressNotFound(StructureError):
    """The base address (leader 12-16) is not a positive number."""


class BaseAddressInvalid(StructureError):
    """The base address points outside the record or not after the directory."""


class RecordDirectoryInvalid(StructureError):
    """The directory is not whole 12-byte entries, or an entry is not digits."""


class NoFieldsFound(StructureError):
    """The directory has no entries."""


class FieldOutOfBounds(RecordDirectoryInvalid):
    """A directory entry points past the end of the record."""


class FieldTerminatorMissing(StructureError):
    """A field does not end with the field terminator (0x1E)."""


class MarcDecodeError(MarcError, UnicodeDecodeError):
    """A value is not valid in its encoding.

    It is also a :class:`UnicodeDecodeError`, as pymarc raises, with the value's
    bytes as ``object`` and the bad byte at ``start``.
    """

    encoding_name = "utf-8"

    def __init__(
        self,
        message: str = "",
        record_index: int | None = None,
        byte_offset: int | None = None,
        field_index: int | None = None,
        value: bytes = b"",
        start: int = 0,
        encoding: str | None = None,
    ) -> None:
        end = min(start + 1, len(value)) if value else 0
        UnicodeDecodeError.__init__(
            self, encoding or self.encoding_name, value, start, end, message
        )
        self._place(message, record_index, byte_offset, field_index)

    def __str__(self) -> str:
        return self.message

    def __reduce__(self):  # type: ignore[no-untyped-def]
        return (
            type(self),
            (
                self.message,
                self.record_index,
                self.byte_offset,
                self.field_index,
                self.object,
                self.start,
                self.encoding,
            ),
        )


class Utf8DecodeError(MarcDecodeError):
    """Invalid UTF-8 in a record that is UTF-8 (LDR/09 'a', or ``force_utf8``)."""


class Marc8DecodeError(MarcDecodeError):
    """Invalid MARC-8 in a record that is MARC-8 (LDR/09 blank)."""

    encoding_name = "marc-8"


class FormatError(MarcError):
    """A record of a MARCXML, MARC-in-JSON or MARCMaker input that is not
    well-formed (or cannot be an ISO 2709 record): ``line`` and ``column`` say
    where in the input's text, beside ``byte_offset``."""

    line: int | None = None
    column: int | None = None

    def __reduce__(self):  # type: ignore[no-untyped-def]
        args = (self.message, self.record_index, self.byte_offset, self.field_index)
        return (type(self), args, {"line": self.line, "column": self.column})


class NotMarcError(MarcError, ValueError):
    """Input that is no MARC serialisation: the message says what it looks like
    ("this looks like a PNG image, not MARC ...")."""


class MissingLinkedFields(MarcError):
    """A field has a ``$6`` linkage that no 880 field answers (pymarc's name)."""

    def __init__(self, field: object = None) -> None:
        super().__init__(f"no 880 field is linked to {field}")
        self.field = field

    def __reduce__(self):  # type: ignore[no-untyped-def]
        return (type(self), (self.field,))


class RepairWarning(_Positioned, UserWarning):
    """A repair made to read a record whose directory does not match its data.

    Under ``validation="repair"`` (the default) such records are read, and each
    repair is listed in ``record.repairs``: what was repaired (the message), the
    record, the byte of the record the repair concerns, and the field.
    """

    def __init__(
        self,
        message: str = "",
        record_index: int | None = None,
        byte_offset: int | None = None,
        field_index: int | None = None,
    ) -> None:
        UserWarning.__init__(self, message)
        self._place(message, record_index, byte_offset, field_index)


class SidecarError(MarcError):
    """The sidecar ``FILE.mmi`` (a persisted index) is missing, stale or corrupt
    under ``index="require"``, or cannot be written. ``path`` names it."""

    path: str | None = None

    def __reduce__(self):  # type: ignore[no-untyped-def]
        return (
            type(self),
            (self.message, self.record_index, self.byte_offset, self.field_index),
            {"path": self.path},
        )


class EditRuleError(ValueError):
    """An edit rule (``marcmap.Edits``, ``write(edits=...)``, ``marcmap edit -e``)
    that does not parse: ``rule_index`` (from 0) and ``column`` (from 1, in
    characters) say where, ``rule`` is its text; the message shows the rule with
    a caret under the column."""

    def __init__(
        self,
        message: str = "",
        rule_index: int | None = None,
        column: int | None = None,
        rule: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.rule_index = rule_index
        self.column = column
        self.rule = rule

    def __reduce__(self):  # type: ignore[no-untyped-def]
        return (type(self), (self.message, self.rule_index, self.column, self.rule))


class SkippedRecordsWarning(UserWarning):
    """Records a bulk method could not read, on a reader made with
    ``raise_errors=False`` (the default): left out (``filter``, ``where``,
    ``frequency``), given empty entries (``extract``, ``to_csv``) or made null
    (``to_parquet``, a Dask or Spark partition). ``errors`` holds each one's
    error (a ``MarcError`` naming its record and byte), in file order. With
    ``raise_errors=True`` the first is raised instead."""

    def __init__(self, message: str = "", errors: list[MarcError] | None = None) -> None:
        super().__init__(message)
        self.errors: list[MarcError] = list(errors or [])


class SidecarWarning(UserWarning):
    """Under ``index="auto"``, a sidecar that is stale or corrupt was not used: the
    file was indexed from its bytes instead."""


# pymarc's names. Its base classes are kept as aliases too.
class SpecError(ValueError):
    """A spec (MARCspec) or filter expression that does not parse: ``text`` is
    what was given, ``column`` (from 1) where something else was expected, and
    ``expected`` what, as in ``"`245$`: a subfield code after '$' at column 5"``."""

    def __init__(
        self, message: str = "", text: str = "", column: int = 0, expected: str = ""
    ) -> None:
        super().__init__(message)
        self.text = text
        self.column = column
        self.expected = expected

    def __reduce__(self):  # type: ignore[no-untyped-def]
        return (type(self), (str(self), self.text, self.column, self.expected))


PymarcException = MarcError
FatalReaderError = FramingError
RecordLengthError = RecordLengthInvalid


# pymarc's other exception names: errors of building and writing records.
class FieldNotFound(MarcError, ValueError):
    """``remove_field`` was given a field the record does not have."""


class BadLeaderValue(MarcError, ValueError):
    """A leader value that does not fit its position."""


class WriteNeedsRecord(MarcError, TypeError):
    """A writer was given something that is not a record."""


class NoActiveFile(MarcError):
    """A reader or writer was used without a file."""


class BadSubfieldCodeWarning(UserWarning):
    """A subfield code that is not ASCII (pymarc warns while reading; marcmap
    reads the code as pymarc normalises it)."""


__all__ = [
    "BadLeaderValue",
    "BadSubfieldCodeWarning",
    "FieldNotFound",
    "NoActiveFile",
    "WriteNeedsRecord",
    "BaseAddressInvalid",
    "BaseAddressNotFound",
    "EditRuleError",
    "EndOfRecordNotFound",
    "FatalReaderError",
    "FieldOutOfBounds",
    "FieldTerminatorMissing",
    "FormatError",
    "FramingError",
    "MarcDecodeError",
    "MarcError",
    "Marc8DecodeError",
    "MissingLinkedFields",
    "NoFieldsFound",
    "NotMarcError",
    "PymarcException",
    "RecordDirectoryInvalid",
    "RecordLeaderInvalid",
    "RecordLengthInvalid",
    "RepairWarning",
    "SkippedRecordsWarning",
    "SidecarError",
    "SidecarWarning",
    "SpecError",
    "StructureError",
    "TruncatedRecord",
    "Utf8DecodeError",
]
