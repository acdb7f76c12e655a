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

from collections.abc import MutableSequence as _MutableSequence
from typing import TYPE_CHECKING as _TYPE_CHECKING

from marcmap._functions import map_records
from marcmap._marcmap import (
    ArrowStream,
    Edits,
    Expr,
    Field,
    FieldList,
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
    Spec,
    SubfieldList,
    TextWriter,
    XMLWriter,
    __version__,
    lint_rules,
    partitions,
    record_to_xml,
    unicode_to_marc8,
)
from marcmap._readers import JSONReader, MARCMakerReader, map_xml, parse_xml_to_array
from marcmap._types import EditCount, Indicators, Leader, Subfield, WriteResult
from marcmap.constants import (
    DIRECTORY_ENTRY_LEN,
    END_OF_FIELD,
    END_OF_RECORD,
    LEADER_LEN,
    SUBFIELD_INDICATOR,
)
from marcmap.errors import (
    BadLeaderValue,
    BadSubfieldCodeWarning,
    BaseAddressInvalid,
    BaseAddressNotFound,
    EditRuleError,
    EndOfRecordNotFound,
    FatalReaderError,
    FieldNotFound,
    FieldOutOfBounds,
    FieldTerminatorMissing,
    FormatError,
    FramingError,
    Marc8DecodeError,
    MarcDecodeError,
    MarcError,
    MissingLinkedFields,
    NoActiveFile,
    NoFieldsFound,
    NotMarcError,
    PymarcException,
    RecordDirectoryInvalid,
    RecordLeaderInvalid,
    RecordLengthInvalid,
    RepairWarning,
    SidecarError,
    SidecarWarning,
    SkippedRecordsWarning,
    SpecError,
    StructureError,
    TruncatedRecord,
    Utf8DecodeError,
    WriteNeedsRecord,
)
from marcmap.field import RawField, map_marc8_field
from marcmap.marc8 import MARC8ToUnicode, marc8_to_unicode
from marcmap.marcjson import JSONHandler, parse_json_to_array
from marcmap.reader import Reader
from marcmap.record import map_marc8_record, normalize_subfield_code
from marcmap.writer import Writer

if _TYPE_CHECKING:
    from marcmap.marcxml import (
        MARC_XML_NS,
        MARC_XML_SCHEMA,
        XSI_NS,
        XmlHandler,
        parse_xml,
        record_to_xml_node,
    )

# pymarc's MARCXML names come from marcmap.marcxml, imported on first use:
# it loads xml.etree and xml.sax, a fifth of `import marcmap`, which every
# command-line run would pay for names it does not use.
_MARCXML = frozenset(
    ["MARC_XML_NS", "MARC_XML_SCHEMA", "XSI_NS", "XmlHandler", "parse_xml", "record_to_xml_node"]
)


def __getattr__(name: str) -> object:
    if name in _MARCXML:
        import marcmap.marcxml

        value = getattr(marcmap.marcxml, name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'marcmap' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | _MARCXML)


# The live lists are sequences a script can change, as pymarc's lists.
_MutableSequence.register(FieldList)
_MutableSequence.register(SubfieldList)

__all__ = [
    "DIRECTORY_ENTRY_LEN",
    "END_OF_FIELD",
    "END_OF_RECORD",
    "JSONHandler",
    "LEADER_LEN",
    "MARC8ToUnicode",
    "MARC_XML_NS",
    "MARC_XML_SCHEMA",
    "RawField",
    "Reader",
    "SUBFIELD_INDICATOR",
    "Writer",
    "XSI_NS",
    "XmlHandler",
    "map_marc8_field",
    "map_marc8_record",
    "normalize_subfield_code",
    "parse_json_to_array",
    "parse_xml",
    "record_to_xml_node",
    "BadLeaderValue",
    "BadSubfieldCodeWarning",
    "FieldNotFound",
    "FieldList",
    "SubfieldList",
    "NoActiveFile",
    "WriteNeedsRecord",
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
    "Expr",
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
    "SkippedRecordsWarning",
    "SidecarError",
    "SidecarWarning",
    "Spec",
    "SpecError",
    "StructureError",
    "Subfield",
    "TruncatedRecord",
    "Utf8DecodeError",
    "__version__",
    "map_records",
    "marc8_to_unicode",
    "unicode_to_marc8",
    "partitions",
]
