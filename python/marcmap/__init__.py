"""marcmap: a memory-mapped, zero-copy reader for MARC 21 (ISO 2709) files.

It reads like pymarc::

    import marcmap
    with marcmap.MARCReader("catalogue.mrc") as reader:
        for record in reader:
            print(record["245"]["a"])

and adds what pymarc lacks: ``len(reader)``, ``reader[i]``, lookup by 001
(``reader.get_by_control_number``), bulk work on all cores with the GIL
released (``reader.extract``, ``reader.filter``, ``reader.validate``),
record-aligned byte ranges for parallel engines (``marcmap.partitions``,
``MARCReader(path, byte_range=...)``, also for fsspec URLs), and a persisted
index (``reader.save_index()``, ``marcmap index FILE``).
"""

from marcmap._functions import map_records
from marcmap._marcmap import (
    ArrowStream,
    Edits,
    Field,
    JSONWriter,
    LintFinding,
    LintTable,
    MARCReader,
    MARCWriter,
    OwnedRecord,
    Profile,
    ProfileTable,
    RawBytes,
    Record,
    TextWriter,
    XMLWriter,
    __version__,
    lint_rules,
    marc8_to_unicode,
    partitions,
    record_to_xml,
)
from marcmap._readers import JSONReader, MARCMakerReader, map_xml, parse_xml_to_array
from marcmap._types import EditCount, Indicators, Leader, Subfield, WriteResult
from marcmap.errors import (
    BaseAddressInvalid,
    BaseAddressNotFound,
    EditRuleError,
    EndOfRecordNotFound,
    FatalReaderError,
    FieldOutOfBounds,
    FieldTerminatorMissing,
    FormatError,
    FramingError,
    Marc8DecodeError,
    MarcDecodeError,
    MarcError,
    MissingLinkedFields,
    NoFieldsFound,
    NotMarcError,
    PymarcException,
    RecordDirectoryInvalid,
    RecordLeaderInvalid,
    RecordLengthInvalid,
    RepairWarning,
    SidecarError,
    SidecarWarning,
    StructureError,
    TruncatedRecord,
    Utf8DecodeError,
)

__all__ = [
    "ArrowStream",
    "JSONReader",
    "MARCMakerReader",
    "map_xml",
    "parse_xml_to_array",
    "JSONWriter",
    "LintFinding",
    "LintTable",
    "lint_rules",
    "MARCWriter",
    "OwnedRecord",
    "Edits",
    "EditCount",
    "EditRuleError",
    "Profile",
    "ProfileTable",
    "TextWriter",
    "WriteResult",
    "XMLWriter",
    "record_to_xml",
    "BaseAddressInvalid",
    "BaseAddressNotFound",
    "EndOfRecordNotFound",
    "FatalReaderError",
    "Field",
    "FieldOutOfBounds",
    "FieldTerminatorMissing",
    "FormatError",
    "FramingError",
    "Indicators",
    "Leader",
    "MARCReader",
    "Marc8DecodeError",
    "MarcDecodeError",
    "MarcError",
    "MissingLinkedFields",
    "NoFieldsFound",
    "NotMarcError",
    "PymarcException",
    "RawBytes",
    "Record",
    "RecordDirectoryInvalid",
    "RecordLeaderInvalid",
    "RecordLengthInvalid",
    "RepairWarning",
    "SidecarError",
    "SidecarWarning",
    "StructureError",
    "Subfield",
    "TruncatedRecord",
    "Utf8DecodeError",
    "__version__",
    "map_records",
    "marc8_to_unicode",
    "partitions",
]
