"""The readers (MARCXML, MARC-in-JSON, MARCMaker) on real data.

- pymarc 5.4.0 writes every ISO 2709 file of the corpus with its ``XMLWriter``,
  ``JSONWriter`` and ``TextWriter``, and marcmap reads the output: the records must
  equal pymarc's (leader, tags, control data, indicators, subfield codes and
  values). What differs by design is undone on marcmap's side, or on pymarc's,
  and named here with its reason:

  - the leader's lengths (00-04, 12-16) are computed when a record is transcoded
    to ISO 2709, and LDR/09 is ``a``: the text of MARCXML and JSON is Unicode;
  - pymarc's XMLWriter writes the characters XML 1.0 forbids (C0 controls) as they
    are; marcmap's reader refuses them, as XML parsers do, so such a record is a
    ``FormatError`` in its place; and a subfield value holding 0x1F (the subfield
    delimiter; JSON can hold it) cannot be ISO 2709: a ``FormatError`` too;
  - a carriage return in pymarc's XML is read as a newline, as XML says;
  - an indicator or subfield code that is not one ASCII character is a blank
    (ISO 2709 holds it in one byte), as is an empty code; trailing blanks after
    an indicator (``ind1="0 "``) are dropped;
  - MARCMaker: pymarc's ``TextWriter`` writes a ``$`` in a value as it is (a
    subfield delimiter when read back) and a backslash in a control field as it is
    (a blank when read back), so records with either are not compared; nor those
    with a line break in a value, nor those with a character reference written
    out (``&#x03B1;``), which marcmap reads as the character, as MarcEdit does.

- marcmap writes every ISO 2709 file in each format and reads it back: the same
  records (text formats: LDR/09 ``a``; MARCXML: the forbidden characters as
  U+FFFD).
- The corpus's MARCXML, JSON and MARCMaker files read equal to their ISO 2709
  twins, where twins exist (PROVENANCE.md); each pair that differs is named.
- The corpus's broken XML and JSON files give positioned errors, and every
  corpus MARCXML file reads as pymarc's ``parse_xml_to_array`` reads it.
"""

from __future__ import annotations

import io
import re
import unicodedata
import warnings
from pathlib import Path
from typing import Any

import marcmap
import pymarc
import pytest
from conftest import CORPUS, corpus_path, iso2709_files, rel
from helpers import field_tuple

FILES = iso2709_files()
FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _leader_key(leader: str) -> str:
    """The leader without what transcoding computes: lengths and LDR/09."""
    return leader[5:9] + leader[10:12] + leader[17:]


def _fields(record: Any) -> tuple[Any, ...]:
    return tuple(field_tuple(f) for f in record.fields)


def _one(c: str) -> str:
    c = c.rstrip(" ") or " "
    return c if len(c) == 1 and c.isascii() else " "


def _as_iso(fields: tuple[Any, ...]) -> tuple[Any, ...]:
    """Indicators and codes as ISO 2709 holds them: one ASCII character, else a blank."""
    out = []
    for f in fields:
        if len(f) == 3:
            tag, ind, subs = f
            out.append((tag, tuple(_one(i) for i in ind), tuple((_one(c), v) for c, v in subs)))
        else:
            out.append(f)
    return tuple(out)


def _pymarc_records(path: Path) -> list[Any]:
    with open(path, "rb") as fh, warnings.catch_warnings():
        warnings.simplefilter("ignore")
        reader = pymarc.MARCReader(fh, to_unicode=True, permissive=True)
        out = []
        while True:
            try:
                record = next(reader)
            except StopIteration:
                break
            except Exception:  # noqa: BLE001 - pymarc stops where it stops
                break
            if record is not None:
                out.append(record)
        return out


def _values(record: Any) -> list[str]:
    out = []
    for f in record.fields:
        if f.is_control_field():
            out.append(f.data)
        else:
            out.extend(f.indicators)
            out.extend(c + v for c, v in f.subfields)
    return out


def _compare(theirs: list[Any], ours: marcmap.MARCReader[Any], fail_if: Any) -> None:
    """pymarc's records against marcmap's reading of what pymarc wrote."""
    assert len(ours) == len(theirs)
    for i, (t, o) in enumerate(zip(theirs, ours, strict=True)):
        if fail_if(t):
            assert o is None
            assert isinstance(ours.current_exception, marcmap.FormatError)
            continue
        assert o is not None, f"record {i}: {ours.current_exception}"
        assert str(o.leader)[9] == "a"
        assert _leader_key(str(o.leader)) == _leader_key(str(t.leader))
        expected = _as_iso(_fields(t))
        assert _fields(o) == expected, f"record {i}"


def _has_forbidden(record: Any) -> bool:
    """A character XML 1.0 forbids, anywhere in the record."""
    return bool(FORBIDDEN.search(str(record.leader) + "".join(_values(record))))


def _has_delimiter(record: Any) -> bool:
    """A subfield value with 0x1F in it (a control field's data may hold it)."""
    return any(
        "\x1f" in s.value for f in record.fields if not f.is_control_field() for s in f.subfields
    )


@pytest.mark.parametrize("path", FILES, ids=[rel(p) for p in FILES])
def test_pymarc_xml_reads_in_marcmap(path: Path) -> None:
    theirs = _pymarc_records(path)
    out = io.BytesIO()
    writer = pymarc.XMLWriter(out)
    for r in theirs:
        writer.write(r)
    writer.close(close_fh=False)
    ours = marcmap.MARCReader(out.getvalue())
    assert ours.format == "marcxml"
    # A bare CR in pymarc's XML reads as LF.
    for t in theirs:
        for f in t.fields:
            if f.is_control_field():
                f.data = f.data.replace("\r\n", "\n").replace("\r", "\n")
            else:
                f.subfields = [
                    pymarc.Subfield(s.code, s.value.replace("\r\n", "\n").replace("\r", "\n"))
                    for s in f.subfields
                ]
    _compare(theirs, ours, lambda t: _has_delimiter(t) or _has_forbidden(t))


@pytest.mark.parametrize("path", FILES, ids=[rel(p) for p in FILES])
def test_pymarc_json_reads_in_marcmap(path: Path) -> None:
    theirs = _pymarc_records(path)
    out = io.StringIO()
    writer = pymarc.JSONWriter(out)
    for r in theirs:
        writer.write(r)
    writer.close(close_fh=False)
    ours = marcmap.MARCReader(out.getvalue().encode("utf-8"))
    if theirs:
        assert ours.format == "json"
    _compare(theirs, ours, _has_delimiter)


def _text_writer_loses(record: Any) -> bool:
    """What pymarc's TextWriter cannot write so that it reads back (see above)."""
    for f in record.fields:
        if f.is_control_field():
            if "\\" in f.data:
                return True
            continue
        if any("$" in s.value or "{" in s.value or "&#" in s.value for s in f.subfields):
            return True
    return any("\n" in v or "\r" in v for v in _values(record))


@pytest.mark.parametrize("path", FILES, ids=[rel(p) for p in FILES])
def test_pymarc_text_reads_in_marcmap(path: Path) -> None:
    theirs = [r for r in _pymarc_records(path) if not _text_writer_loses(r)]
    out = io.StringIO()
    writer = pymarc.TextWriter(out)
    for r in theirs:
        writer.write(r)
    writer.close(close_fh=False)
    ours = marcmap.MARCReader(out.getvalue().encode("utf-8"), format="mrk")
    assert len(ours) == len(theirs)
    for i, (t, o) in enumerate(zip(theirs, ours, strict=True)):
        if _has_delimiter(t):
            continue
        assert o is not None, f"record {i}: {ours.current_exception}"
        # MARCMaker keeps the leader (LDR/09 says how the text is encoded).
        assert _leader_key(str(o.leader)) == _leader_key(str(t.leader))
        assert _fields(o) == _as_iso(_fields(t)), f"record {i}"


def _view(record: Any, xml: bool = False) -> tuple[Any, ...]:
    fields = _fields(record)
    if xml:
        fields = _replace(fields)
    return _as_iso(fields)


def _replace(x: Any) -> Any:
    if isinstance(x, str):
        return FORBIDDEN.sub("\ufffd", x)
    if isinstance(x, tuple):
        return tuple(_replace(i) for i in x)
    return x


@pytest.mark.parametrize("fmt", ["marc", "marcxml", "json", "jsonl", "mrk"])
@pytest.mark.parametrize("path", FILES, ids=[rel(p) for p in FILES])
def test_marcmap_round_trip(path: Path, fmt: str) -> None:
    with marcmap.MARCReader(path) as reader:
        good = [r for r in reader if r is not None]
        out = io.BytesIO()
        reader.write(out, fmt)  # type: ignore[arg-type]
    back = marcmap.MARCReader(out.getvalue(), format="auto" if good else fmt)  # type: ignore[arg-type]
    # One record a line is JSON lines, but one record alone is one JSON object.
    assert back.format == fmt or (fmt == "jsonl" and len(good) == 1 and back.format == "json")
    if fmt == "marc":
        # ISO 2709 keeps the bytes: also records whose text does not decode.
        with marcmap.MARCReader(path, lazy_decoding=True) as lazy:
            good = [r for r in lazy if r is not None]
        back = marcmap.MARCReader(out.getvalue(), lazy_decoding=True)
    records = list(back)
    assert len(records) == len(good)
    for i, (a, b) in enumerate(zip(good, records, strict=True)):
        assert b is not None, f"record {i}: {back.current_exception}"
        if fmt == "marc":
            assert bytes(b.raw) == bytes(a.raw) or a.repairs
            continue
        assert str(b.leader)[9] == "a"
        leader = str(a.leader)
        if fmt == "marcxml":
            # A forbidden character in the leader is U+FFFD, read back as a blank.
            leader = FORBIDDEN.sub(" ", leader)
        assert _leader_key(str(b.leader)) == _leader_key(leader)
        assert _fields(b) == _view(a, xml=fmt == "marcxml"), f"record {i}"


# The corpus's twins: a MARCXML, JSON or MARCMaker file and the ISO 2709 file of
# the same records. "nfc": compared under NFC (the text file's converter wrote
# decomposed text, or the ISO side is MARC-8, which marcmap decodes to NFC).
TWINS: list[tuple[str, str, str]] = [
    ("marc4j/src/org/marc4j/samples/resources/summerland.xml", "summerland.mrc", "exact"),
    ("marc4j/test/resources/brkrtest.mrk", "brkrtest.mrc", "exact"),
    ("marc4j/test/resources/brkrtest.mrk", "brkrtest_UTF8.mrc", "nfc"),
    ("marc4j/test/resources/brkrtest.mrk8", "brkrtest.mrc", "nfc"),
    ("marc4j/test/resources/brkrtest.mrk8", "brkrtest_UTF8.mrc", "nfc"),
    ("marc4j/test/resources/chabon.xml", "chabon.mrc", "exact"),
    ("marc4j/test/resources/summerland.xml", "summerland.mrc", "exact"),
    ("marc4js/PGA_2records.mrk", "PGA_2records.mrc", "exact"),
    ("marc4js/collection.json", "collection.mrc", "exact"),
    ("marc4js/collection.mrk", "collection.mrc", "exact"),
    ("marc4js/collection.xml", "collection.mrc", "exact"),
    ("marc4js/sandburg.xml", "sandburg.mrc", "exact"),
    ("marcjs/bib.xml", "bib.mrc", "exact"),
    ("marcli/data/test_10.xml", "test_10.mrc", "exact"),
    ("pymarc/one.json", "one.dat", "exact"),
    ("ruby-marc/non-numeric.xml", "non-numeric.dat", "exact"),
    ("traject/test/test_support/test_data.utf8.json", "test_data.utf8.mrc", "exact"),
    ("traject/test/test_support/test_data.utf8.marc.xml", "test_data.utf8.mrc", "exact"),
    *[
        (f"yaz/marc{n}.{ext}", f"marc{n}.marc", "exact" if n in (6, 8) else "nfc")
        for n in (6, 7, 8, 9)
        for ext in ("xml", "json")
    ],
    *[
        (f"yaz/marc{n}.{ext}", f"marc{n}.{ext}.marc", "nfc")
        for n in (3, 5, 6, 7, 8, 9, 10, 11)
        for ext in ("xml", "json")
    ],
    *[(f"yaz/xml2marc{n}.xml", f"xml2marc{n}.xml.marc", "nfc") for n in (3, 4)],
]

# Twins that differ, and why (each is checked to still differ).
NOT_TWINS: dict[str, tuple[str, str]] = {
    "yaz/marc0.xml": ("marc0.marc", "yaz wrote a blank for the ISO side's non-ASCII indicator"),
    "yaz/marc1.xml": ("marc1.marc", "LDR/10 says three indicators; MARCXML has two"),
    "yaz/marc2.xml": ("marc2.marc", "LDR/10 says three indicators; MARCXML has two"),
    "yaz/marc10.xml": ("marc10.marc", "the ISO side is in a Danish character set, not MARC-8"),
    "yaz/marc11.xml": ("marc11.marc", "the ISO side is in a Danish character set, not MARC-8"),
    "yaz/marc12.xml": ("marc12.marc", "marcmap's MARC-8 decoder gives U+FFFD in its CJK"),
    "yaz/xml2marc0.xml": ("xml2marc0.xml.marc", "ind2 'á': a blank here, its first byte there"),
    "yaz/xml2marc1.xml": ("xml2marc1.xml.marc", "three indicators (LDR/10): MARCXML has two"),
    "yaz/xml2marc2.xml": ("xml2marc2.xml.marc", "three indicators (LDR/10): MARCXML has two"),
}


def _nfc(x: Any) -> Any:
    if isinstance(x, str):
        return unicodedata.normalize("NFC", x)
    if isinstance(x, tuple):
        return tuple(_nfc(i) for i in x)
    return x


def _records(reader: marcmap.MARCReader[Any]) -> list[Any]:
    out = []
    for r in reader:
        out.append(None if r is None else (_leader_key(str(r.leader)), _fields(r)))
    return out


@pytest.mark.parametrize(("text", "iso", "how"), TWINS, ids=[t[0] for t in TWINS])
def test_twins_read_equal(text: str, iso: str, how: str) -> None:
    path = corpus_path(text)
    ours = marcmap.MARCReader(path)
    assert ours.format != "marc"
    a = _records(ours)
    b = _records(marcmap.MARCReader(path.parent / iso))
    assert a
    if how == "nfc":
        a, b = _nfc(tuple(a)), _nfc(tuple(b))
    assert a == b


@pytest.mark.parametrize("text", sorted(NOT_TWINS), ids=sorted(NOT_TWINS))
def test_named_twins_still_differ(text: str) -> None:
    path = corpus_path(text)
    iso = path.parent / NOT_TWINS[text][0]
    assert _nfc(tuple(_records(marcmap.MARCReader(path)))) != _nfc(
        tuple(_records(marcmap.MARCReader(iso)))
    )


# Broken inputs: (file, the record that fails, its line) and, where records follow
# it, how many records the file has.
BROKEN: list[tuple[str, int, int, int]] = [
    # A controlfield, a datafield with no tag; a subfield with no code.
    ("marc4j/test/resources/chabon-missing-controlfield-tag.xml", 0, 5, 1),
    ("marc4j/test/resources/chabon-missing-datafield-tag.xml", 0, 61, 1),
    ("marc4j/test/resources/chabon-missing-subfield-code.xml", 0, 8, 1),
    # BEL (U+0007) as a subfield code: XML 1.0 forbids it.
    ("ruby-marc/three-records-second-bad.xml", 1, 72, 3),
    ("mrrc/error_fixtures/e401_bad_char_reference.xml", 0, 5, 1),
    # </WRONG> closes <subfield>.
    ("mrrc/error_fixtures/e401_malformed_marcxml.xml", 0, 5, 1),
    ("mrrc/error_fixtures/e401_unexpected_eof_in_subfield.xml", 0, 5, 1),
    ("mrrc/error_fixtures/e402_malformed_marcjson.json", 0, 1, 1),
    # A 17-character leader.
    ("pymarc/bad_tag.xml", 0, 3, 1),
]


@pytest.mark.parametrize(("name", "index", "line", "count"), BROKEN, ids=[b[0] for b in BROKEN])
def test_broken_inputs_give_positioned_errors(name: str, index: int, line: int, count: int) -> None:
    path = corpus_path(name)
    reader = marcmap.MARCReader(path)
    records = list(reader)
    assert len(records) == count
    assert records[index] is None
    errors = reader.validate()
    bad = [e for e in errors if e.record_index == index]
    assert bad, errors
    e = bad[0]
    assert e.byte_offset is not None
    text = path.read_bytes()
    assert 0 <= e.byte_offset <= len(text)
    if isinstance(e, marcmap.FormatError):
        assert e.line is not None and e.column is not None
        # The line and column name the byte offset.
        before = text[: e.byte_offset]
        assert e.line == before.count(b"\n") + 1
        assert e.column == len(before) - (before.rfind(b"\n") + 1) + 1
        if line:
            assert e.line == line, str(e)
        assert f"line {e.line}, column {e.column}" in str(e)
    assert f"record {index}" in str(e)
    # The records around the broken one are read.
    assert all(r is not None for k, r in enumerate(records) if k != index)
    strict = marcmap.MARCReader(path, framing="strict")
    assert len(strict) == index
    assert strict.framing_error is not None


def test_relaxed_json_is_not_marc_in_json() -> None:
    # marc4j's "marc-json" has unquoted keys: not JSON, and no "leader" key.
    with pytest.raises(marcmap.NotMarcError, match="JSON with no"):
        marcmap.MARCReader(corpus_path("marc4j/test/resources/marc-json.json"))


def test_turbomarc_is_named() -> None:
    with pytest.raises(marcmap.NotMarcError, match="turbomarc"):
        marcmap.MARCReader(corpus_path("yaz/tmarc1.xml"))


def _xml_files() -> list[Path]:
    if not CORPUS.is_dir():
        return []
    out = []
    for p in sorted(CORPUS.rglob("*.xml")):
        if "codetables" in p.parts:
            continue
        head = p.read_bytes()[:65536]
        if b"MARC21/slim" in head or b"<record" in head:
            out.append(p)
    return out


XML_FILES = _xml_files()


@pytest.mark.parametrize("path", XML_FILES, ids=[rel(p) for p in XML_FILES])
def test_corpus_marcxml_reads_as_pymarc_reads_it(path: Path) -> None:
    try:
        theirs = pymarc.parse_xml_to_array(str(path))
    except Exception:  # noqa: BLE001 - pymarc stops at the first problem
        # A broken file: marcmap names the broken record (test_broken_inputs
        # checks where) and reads the others.
        reader = marcmap.MARCReader(path)
        assert any(r is None for r in reader) or reader.skipped
        assert any(isinstance(e, marcmap.FormatError) for e in reader.validate())
        return
    try:
        reader = marcmap.MARCReader(path)
    except marcmap.NotMarcError:
        assert not theirs or all(not r.fields for r in theirs)
        return
    ours = list(reader)
    assert len(ours) == len(theirs)
    for i, (o, t) in enumerate(zip(ours, theirs, strict=True)):
        if not t.fields:
            # An empty record: pymarc gives one with no fields, ISO 2709 has none.
            assert o is None and isinstance(reader.current_exception, marcmap.NoFieldsFound)
            continue
        assert o is not None, f"record {i}: {reader.current_exception}"
        assert _leader_key(str(o.leader)) == _leader_key(str(t.leader))
        # A <datafield> with a control tag (yaz's UNIMARC 001 with subfields):
        # pymarc's Field makes it a control field and keeps no data; marcmap
        # keeps its indicators and subfields (as the 001's data).
        kept = [k for k, f in enumerate(t.fields) if not (f.is_control_field() and f.data is None)]
        ours_fields = _fields(o)
        assert tuple(ours_fields[k] for k in kept) == _as_iso(
            tuple(field_tuple(t.fields[k]) for k in kept)
        ), f"record {i}"


def test_pymarc_reader_names() -> None:
    xml = corpus_path("traject/test/test_support/test_data.utf8.marc.xml")
    theirs = pymarc.parse_xml_to_array(str(xml))
    for source in (xml, str(xml), open(xml, "rb")):  # noqa: SIM115 - closed by the reader
        ours = marcmap.parse_xml_to_array(source)
        assert [_fields(r) for r in ours] == [_as_iso(_fields(t)) for t in theirs]
    nfd = marcmap.parse_xml_to_array(xml, normalize_form="NFD")
    theirs_nfd = pymarc.parse_xml_to_array(str(xml), normalize_form="NFD")
    assert [_fields(r) for r in nfd] == [_as_iso(_fields(t)) for t in theirs_nfd]
    # strict=True: only the slim namespace (this file has it).
    assert len(marcmap.parse_xml_to_array(xml, strict=True)) == len(theirs)
    seen: list[str] = []
    marcmap.map_xml(lambda r: seen.append(r["001"].data), xml, xml)
    assert seen == [t["001"].data for t in theirs] * 2

    batch = corpus_path("pymarc/batch.json")
    theirs_json = list(pymarc.JSONReader(batch.read_text()))
    for source in (batch.read_text(), str(batch), open(batch)):  # noqa: SIM115
        ours_json = list(marcmap.JSONReader(source))
        assert [_fields(r) for r in ours_json] == [_as_iso(_fields(t)) for t in theirs_json]

    mrk = corpus_path("marc4js/collection.mrk")
    iso = marcmap.MARCReader(corpus_path("marc4js/collection.mrc"))
    with marcmap.MARCMakerReader(str(mrk)) as reader:
        assert [_fields(r) for r in reader] == [_fields(r) for r in iso]
    text = mrk.read_text()
    assert len(marcmap.MARCMakerReader(text)) == 2
