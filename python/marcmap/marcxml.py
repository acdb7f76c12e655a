"""pymarc's ``pymarc.marcxml``: MARCXML to records and back.

``parse_xml_to_array`` and ``map_xml`` read with marcmap's MARCXML reader (in
Rust); ``XmlHandler`` and ``parse_xml`` are pymarc's SAX interface, for a
handler of your own (``process_record`` called with each record as it is
read), building marcmap records.
"""

from __future__ import annotations

import unicodedata
import xml.etree.ElementTree as ET
from typing import IO, Any
from xml.sax import make_parser
from xml.sax.handler import ContentHandler, feature_namespaces

from marcmap._marcmap import Field, Record, record_to_xml
from marcmap._readers import map_xml, parse_xml_to_array
from marcmap._types import Indicators, Leader

MARC_XML_NS = "http://www.loc.gov/MARC21/slim"
XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"
MARC_XML_SCHEMA = (
    "http://www.loc.gov/MARC21/slim http://www.loc.gov/standards/marcxml/schema/MARC21slim.xsd"
)


class XmlHandler(ContentHandler):
    """pymarc's SAX handler: subclass it and override ``process_record`` to
    stream records (by default they are collected in ``records``). ``strict``
    takes only elements of the MARCXML namespace; ``normalize_form`` ("NFC",
    ...) normalises every value."""

    def __init__(self, strict: bool = False, normalize_form: str | None = None) -> None:
        super().__init__()
        self.records: list[Record[str]] = []
        self._record: Record[str] | None = None
        self._field: Field[str] | None = None
        self._subfield_code: str | None = None
        self._text: list[str] = []
        self._strict = strict
        self.normalize_form = normalize_form

    def startElementNS(self, name: tuple[str | None, str], qname: str | None, attrs: Any) -> None:
        if self._strict and name[0] != MARC_XML_NS:
            return
        element = name[1]
        self._text = []
        if element == "record":
            self._record = Record()
        elif element == "controlfield":
            self._field = Field(attrs.getValue((None, "tag")))
        elif element == "datafield":
            ind1 = attrs.get((None, "ind1"), " ")
            ind2 = attrs.get((None, "ind2"), " ")
            self._field = Field(attrs.getValue((None, "tag")), Indicators(ind1, ind2))
        elif element == "subfield":
            self._subfield_code = attrs[(None, "code")]

    def endElementNS(self, name: tuple[str | None, str], qname: str | None) -> None:
        if self._strict and name[0] != MARC_XML_NS:
            return
        element = name[1]
        text = "".join(self._text)
        if self.normalize_form is not None:
            form: Any = self.normalize_form
            text = unicodedata.normalize(form, text)
        if element == "record" and self._record is not None:
            self.process_record(self._record)
            self._record = None
        elif element == "leader" and self._record is not None:
            self._record.leader = Leader(text)
        elif element == "controlfield" and self._record is not None and self._field is not None:
            self._field.data = text
            self._record.add_field(self._field)
            self._field = None
        elif element == "datafield" and self._record is not None and self._field is not None:
            self._record.add_field(self._field)
            self._field = None
        elif element == "subfield" and self._field is not None and self._subfield_code:
            self._field.add_subfield(self._subfield_code, text)
            self._subfield_code = None
        self._text = []

    def characters(self, content: str) -> None:
        self._text.append(content)

    def process_record(self, record: Record[str]) -> None:
        """Appends ``record`` to ``records``; override to stream."""
        self.records.append(record)


def parse_xml(xml_file: str | IO[bytes] | IO[str], handler: ContentHandler) -> None:
    """Parses a MARCXML file with a SAX ``handler`` (an ``XmlHandler``)."""
    parser = make_parser()
    parser.setContentHandler(handler)
    parser.setFeature(feature_namespaces, 1)
    parser.parse(xml_file)


def record_to_xml_node(record: Any, quiet: bool = False, namespace: bool = False) -> ET.Element:
    """One record as an ``xml.etree.ElementTree`` ``<record>`` element, as pymarc's."""
    return ET.fromstring(record_to_xml(record, quiet=quiet, namespace=namespace))


__all__ = [
    "MARC_XML_NS",
    "MARC_XML_SCHEMA",
    "XSI_NS",
    "XmlHandler",
    "map_xml",
    "parse_xml",
    "parse_xml_to_array",
    "record_to_xml",
    "record_to_xml_node",
]
