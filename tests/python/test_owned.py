"""``marcmap.OwnedRecord`` and pymarc's writer classes (``MARCWriter``,
``XMLWriter``, ``JSONWriter``, ``TextWriter``), on corpus records, with pymarc
5.4.0 as the oracle."""

from __future__ import annotations

import copy
import io
import json
import xml.etree.ElementTree as ET

import marcmap
import pymarc
import pytest
from conftest import corpus_path
from helpers import field_tuple

CLEAN = "traject/test/test_support/test_data.utf8.mrc"
MARC8 = "pymarc/marc8.dat"


def _fields(record: object) -> list[object]:
    return [field_tuple(f) for f in record.fields]  # type: ignore[attr-defined]


def _pymarc(path: str) -> list[pymarc.Record]:
    with open(corpus_path(path), "rb") as fh:
        return [r for r in pymarc.MARCReader(fh, to_unicode=True) if r is not None]


def test_to_owned_edits_and_writes_what_pymarc_reads() -> None:
    record = marcmap.MARCReader(corpus_path(MARC8))[0]
    assert record is not None
    owned = record.to_owned()
    assert owned.leader[9] == "a"
    assert len(owned) == len(record.fields)
    assert _fields(owned) == _fields(record)
    removed = owned.remove_fields("650", "651")
    assert removed == len(record.get_fields("650", "651"))
    owned.add_data_field("650", " ", "0", [("a", "Cats"), marcmap.Subfield("x", "History.")])
    owned.add_control_field("003", "marcmap")
    owned.add_field(record["245"], pymarc.Field(tag="500", indicators=[" ", " "], subfields=[]))
    data = owned.as_marc()
    back = next(iter(pymarc.MARCReader(io.BytesIO(data), to_unicode=True)))
    assert _fields(back) == _fields(owned)
    assert back["650"].get_subfields("a", "x")[-2:] == ["Cats", "History."]
    view = owned.as_record()
    assert view.title == back.title and view.as_marc() == data
    assert owned.get_fields("003")[0].data == "marcmap"
    owned.leader = "00000cam a2200000 a 4500"
    assert owned.as_record().leader.type_of_record == "a"
    with pytest.raises(ValueError, match="24"):
        owned.leader = "short"
    with pytest.raises(ValueError, match="three"):
        owned.add_control_field("1", "x")


def test_owned_record_from_pymarc_fields() -> None:
    theirs = _pymarc(CLEAN)[0]
    owned = marcmap.OwnedRecord(str(theirs.leader), theirs.fields)
    assert _fields(owned) == _fields(theirs)
    assert owned == marcmap.OwnedRecord(str(theirs.leader), theirs.fields)
    assert owned == owned


@pytest.mark.parametrize("kind", ["marcmap", "owned", "pymarc"])
def test_writers_take_every_kind_of_record(kind: str) -> None:
    theirs = _pymarc(CLEAN)
    ours = [r for r in marcmap.MARCReader(corpus_path(CLEAN)) if r is not None]
    records: list[object] = {
        "marcmap": ours,
        "owned": [r.to_owned() for r in ours],
        "pymarc": theirs,
    }[kind]
    # MARCWriter: what pymarc's as_marc() writes (text as UTF-8, LDR/09 a).
    out = io.BytesIO()
    with marcmap.MARCWriter(out) as writer:
        for r in records:
            writer.write(r)
        assert writer.written == len(records)
        writer.close(close_fh=False)
    expected = b"".join(copy.deepcopy(r).as_marc() for r in theirs)
    assert out.getvalue() == expected
    # XMLWriter: pymarc's collection, after canonicalisation.
    out = io.BytesIO()
    writer = marcmap.XMLWriter(out)
    for r in records:
        writer.write(r)
    writer.close(close_fh=False)
    theirs_xml = io.BytesIO()
    pw = pymarc.XMLWriter(theirs_xml)
    for r in theirs:
        pw.write(r)
    pw.close(close_fh=False)
    assert ET.canonicalize(out.getvalue().decode(), strip_text=True) == ET.canonicalize(
        theirs_xml.getvalue().decode(), strip_text=True
    )
    # JSONWriter, to a text file.
    text = io.StringIO()
    writer = marcmap.JSONWriter(text)
    for r in records:
        writer.write(r)
    writer.close(close_fh=False)
    assert json.loads(text.getvalue()) == [r.as_dict() for r in theirs]
    # TextWriter: MARCMaker text marcmap reads back.
    text = io.StringIO()
    with marcmap.TextWriter(text) as writer:
        for r in records:
            writer.write(r)
        writer.close(close_fh=False)
    back = marcmap.MARCReader(text.getvalue().encode(), format="mrk")
    assert [_fields(r) for r in back] == [_fields(r) for r in theirs]


def test_record_to_xml_and_as_xml() -> None:
    theirs = _pymarc(CLEAN)[3]
    ours = marcmap.MARCReader(corpus_path(CLEAN))[3]
    assert ours is not None
    expected = ET.canonicalize(pymarc.record_to_xml(theirs, namespace=True).decode())
    for record in (ours, ours.to_owned(), theirs):
        got = marcmap.record_to_xml(record, namespace=True)  # type: ignore[arg-type]
        assert ET.canonicalize(got.decode()) == expected
    assert ET.canonicalize(ours.as_xml().decode()) == ET.canonicalize(
        pymarc.record_to_xml(theirs).decode()
    )
    assert ours.to_owned().as_xml() == ours.as_xml()


def test_an_empty_record_is_written() -> None:
    out = io.BytesIO()
    with marcmap.XMLWriter(out) as writer:
        writer.write(marcmap.OwnedRecord())
        writer.close(close_fh=False)
    (theirs,) = pymarc.parse_xml_to_array(io.BytesIO(out.getvalue()))
    assert theirs.fields == [] and str(theirs.leader) == str(marcmap.OwnedRecord().leader)


def test_writers_refuse_what_is_not_a_record() -> None:
    writer = marcmap.XMLWriter(io.BytesIO())
    with pytest.raises(TypeError, match="needs a marcmap Record"):
        writer.write("not a record")  # type: ignore[arg-type]
    writer.close()
    with pytest.raises(ValueError, match="closed"):
        writer.write(marcmap.OwnedRecord())
