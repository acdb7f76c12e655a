"""pymarc's ``pymarc.exceptions``: every pymarc exception name, as marcmap's
exceptions (``marcmap.errors``), so ``except pymarc.exceptions.X`` keeps working."""

from __future__ import annotations

from marcmap.errors import (
    BadLeaderValue,
    BadSubfieldCodeWarning,
    BaseAddressInvalid,
    BaseAddressNotFound,
    EndOfRecordNotFound,
    FatalReaderError,
    FieldNotFound,
    MissingLinkedFields,
    NoActiveFile,
    NoFieldsFound,
    PymarcException,
    RecordDirectoryInvalid,
    RecordLeaderInvalid,
    RecordLengthInvalid,
    TruncatedRecord,
    WriteNeedsRecord,
)

__all__ = [
    "BadLeaderValue",
    "BadSubfieldCodeWarning",
    "BaseAddressInvalid",
    "BaseAddressNotFound",
    "EndOfRecordNotFound",
    "FatalReaderError",
    "FieldNotFound",
    "MissingLinkedFields",
    "NoActiveFile",
    "NoFieldsFound",
    "PymarcException",
    "RecordDirectoryInvalid",
    "RecordLeaderInvalid",
    "RecordLengthInvalid",
    "TruncatedRecord",
    "WriteNeedsRecord",
]
